/**
 * Replay checks its timelines for unsafe characters in their UTF-8 bytes
 * (hasUnsafeUtf8) rather than in the text: the check must find exactly what
 * visibleLines would escape, for every character, the ones either side of
 * each range and the multi-byte neighbours that share a lead byte included.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasUnsafeUtf8, visibleLines } from '../../src/inspect/visible-text';

/** Each unsafe range's ends and the characters just outside them, and others that share their UTF-8 lead bytes. */
const edges = [
  0x00, 0x09, 0x0a, 0x0b, 0x1f, 0x20, 0x7e, 0x7f, 0x80, 0x9f, 0xa0, 0xe9, 0x061b, 0x061c, 0x061d, 0x0600, 0x063f, 0x200d, 0x200e, 0x200f, 0x2010, 0x2026,
  0x2027, 0x2028, 0x2029, 0x202a, 0x202e, 0x202f, 0x2013, 0x2192, 0x2065, 0x2066, 0x2069, 0x206a, 0x2040, 0xfeff, 0x1f600,
];
const character = fc.oneof(fc.constantFrom(...edges.map((code) => String.fromCodePoint(code))), fc.string({ unit: 'binary', maxLength: 1 }));
const text = fc.array(character, { maxLength: 12 }).map((chars) => chars.join(''));

describe('hasUnsafeUtf8', () => {
  it('finds in the bytes exactly what visibleLines escapes in the text', () => {
    fc.assert(
      fc.property(text, (value) => {
        const bytes = Buffer.from(value);
        expect(hasUnsafeUtf8(bytes)).toBe(visibleLines(bytes.toString('utf8')) !== bytes.toString('utf8'));
      }),
      { numRuns: 20_000 },
    );
  });

  it('finds each unsafe character wherever it stands', () => {
    for (let code = 0; code <= 0x2100; code++) {
      const char = String.fromCharCode(code);
      const unsafe = visibleLines(char) !== char;
      for (const value of [char, `ab${char}`, `${char}cd`, `a${char}\u2026`])
        expect(hasUnsafeUtf8(Buffer.from(value)), `U+${code.toString(16)} in ${JSON.stringify(value)}`).toBe(unsafe);
    }
  });
});
