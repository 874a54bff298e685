/**
 * JSON text that is safe to print: a log file is read with `cat`, `tail -f`
 * and `less`, and a client chooses many of the strings in it. JSON.stringify
 * already escapes C0 controls; this also escapes the characters it leaves raw
 * that a terminal or an editor acts on: C1 controls (U+009B is an 8-bit CSI),
 * line and paragraph separators, and bidi overrides that reorder a line.
 */
const INVISIBLE_CLASS = '[\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]';
// Two regexes: a global one keeps a lastIndex between calls, so it cannot test.
const HAS_INVISIBLE = new RegExp(INVISIBLE_CLASS);
const EVERY_INVISIBLE = new RegExp(INVISIBLE_CLASS, 'g');

function escapeCodeUnit(char: string): string {
  return '\\u' + char.charCodeAt(0).toString(16).padStart(4, '0');
}

export function printableJson(value: unknown): string {
  const text = JSON.stringify(value);
  // Most records have none of these; the test keeps the common case to one scan.
  return HAS_INVISIBLE.test(text) ? text.replace(EVERY_INVISIBLE, escapeCodeUnit) : text;
}
