/**
 * Logged strings are chosen by clients (namespace and room names, a
 * WebSocket close reason, an error message), so before they reach a terminal
 * or a page every character that is not text but an instruction is shown as
 * an escape instead: C0 controls (ESC [ 2 J would clear the screen, an OSC
 * sequence would set the title or write the clipboard), DEL, C1 controls
 * (U+009B is CSI to some terminals), line and paragraph separators, and the
 * bidirectional overrides and isolates that make text read backwards.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The set as regular expression source, for the inspector page's script. */
export const UNSAFE_CHARACTERS = UNSAFE.source;

/** The same set minus the C0 controls, which JSON.stringify already escapes. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const hex = (char: string, width: number) => char.charCodeAt(0).toString(16).padStart(width, '0');

/** `\x1b` for a control character, `\u202e` for the others. */
const escape = (char: string) => (char.charCodeAt(0) <= 0x9f ? `\\x${hex(char, 2)}` : `\\u${hex(char, 4)}`);

/** One line of text with every unsafe character written as `\x1b` (controls) or `\u202e` (the rest); newlines included. */
export function visible(text: string): string {
  return text.replace(UNSAFE, escape);
}

/** The same set but the line feed. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same, to look for one: a text with none (nearly all) is returned as it is without going through replace. */
const ANY_UNSAFE_BUT_NEWLINE = new RegExp(UNSAFE_BUT_NEWLINE.source);

/** Several lines: the line breaks stay, everything else unsafe is shown. */
export function visibleLines(text: string): string {
  // A replace with a function costs twice a test even when it finds nothing; replay passes every line through here.
  return ANY_UNSAFE_BUT_NEWLINE.test(text) ? text.replace(UNSAFE_BUT_NEWLINE, escape) : text;
}

/**
 * JSON text (from JSON.stringify) with the characters it leaves raw written
 * as \u escapes: the same JSON value, safe to print. Those characters can
 * only stand inside strings, where \uXXXX means the same.
 */
export function terminalJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (char) => `\\u${hex(char, 4)}`);
}
