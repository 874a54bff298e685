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
 * One line of a block that `visibleLines` shows afterwards: its line feeds
 * written as `\x0a` now (a client's string must not start a line of its
 * own in the output and pass it off as the tool's), the rest left for that
 * pass. Most lines have none and are returned as they are.
 */
export function oneLine(text: string): string {
  return text.includes('\n') ? text.replace(/\n/g, '\\x0a') : text;
}

/**
 * Whether UTF-8 bytes hold a character `visibleLines` would show as an
 * escape: the same set, looked for in bytes (C0 controls but the line feed,
 * DEL, C2 80–9F, D8 9C, E2 80 8E–8F, E2 80 A8–AE, E2 81 A6–A9). Replay
 * keeps timelines as bytes and checks each one once, when it is printed,
 * instead of each line as it is written.
 */
export function hasUnsafeUtf8(bytes: Uint8Array): boolean {
  const end = bytes.length;
  for (let i = 0; i < end; i++) {
    const byte = bytes[i]!;
    if (byte >= 0x20 && byte < 0x7f) continue;
    if (byte < 0x20) {
      if (byte !== 0x0a) return true;
    } else if (byte === 0x7f) return true;
    else if (byte === 0xc2) {
      const next = bytes[i + 1]!;
      if (next >= 0x80 && next <= 0x9f) return true;
    } else if (byte === 0xd8) {
      if (bytes[i + 1] === 0x9c) return true;
    } else if (byte === 0xe2) {
      const second = bytes[i + 1];
      const third = bytes[i + 2]!;
      if (second === 0x80 && (third === 0x8e || third === 0x8f || (third >= 0xa8 && third <= 0xae))) return true;
      if (second === 0x81 && third >= 0xa6 && third <= 0xa9) return true;
    }
  }
  return false;
}

/**
 * JSON text (from JSON.stringify) with the characters it leaves raw written
 * as \u escapes: the same JSON value, safe to print. Those characters can
 * only stand inside strings, where \uXXXX means the same.
 */
export function terminalJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (char) => `\\u${hex(char, 4)}`);
}
