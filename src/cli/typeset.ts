/**
 * The three typographic characters of replay's text output (→ – …) stand
 * for two bytes a character in any string that holds one, which doubles
 * the memory and the work of every string made from it. So a block is built
 * with one-byte stand-ins for them, and `typeset` puts the real characters
 * back once per chunk of output. The stand-ins are C1 controls: every client
 * string is escaped before it is written (visibleLines shows C1 controls as
 * \x91), so in written text they can only be the stand-ins.
 */
export const ARROW = '\u0091';
export const DASH = '\u0092';
export const ELLIPSIS = '\u0093';

const REAL: Record<string, string> = { [ARROW]: '→', [DASH]: '–', [ELLIPSIS]: '…' };
const STAND_INS = /[\u0091-\u0093]/g;

/** The text with the real characters in place of their stand-ins. */
export function typeset(text: string): string {
  return text.replace(STAND_INS, (char) => REAL[char]!);
}
