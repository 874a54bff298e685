import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { printableJson } from '../../src/log/safe-json';

// Characters a terminal or editor acts on that JSON.stringify leaves raw.
const ACTIVE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('printableJson', () => {
  it('reads back as the same value and shows no active character', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (value, text) => {
        for (const input of [value, { text }]) {
          const line = printableJson(input);
          expect(ACTIVE.test(line)).toBe(false);
          expect(JSON.parse(line)).toStrictEqual(JSON.parse(JSON.stringify(input)));
        }
      }),
    );
  });

  it('escapes an 8-bit CSI, a bidi override and a line separator, and only those', () => {
    const line = printableJson({ nsp: '/\u009b31m\u202eevil\u2028', plain: 'é ✓' });
    expect(line).toBe('{"nsp":"/\\u009b31m\\u202eevil\\u2028","plain":"é ✓"}');
  });

  it('gives the same answer on every call (no regex state between calls)', () => {
    const hostile = { name: 'a\u0085b' };
    expect(printableJson(hostile)).toBe(printableJson(hostile));
    expect(printableJson(hostile)).toBe('{"name":"a\\u0085b"}');
  });
});
