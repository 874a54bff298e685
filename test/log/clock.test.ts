import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clock } from '../../src/log/clock';

describe('clock', () => {
  it('prints the UTC time of day with milliseconds, as toISOString does', () => {
    const anyDate = fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) });
    fc.assert(
      fc.property(anyDate, (ms) => {
        expect(clock(ms)).toBe(new Date(ms).toISOString().slice(11, 23));
      }),
    );
    expect(clock(Date.UTC(2026, 0, 1, 12, 0, 5, 120))).toBe('12:00:05.120');
    expect(clock(Date.UTC(2026, 0, 1, 23, 59, 59, 9))).toBe('23:59:59.009');
  });
});
