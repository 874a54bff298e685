import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clock, isoTime } from '../../src/log/clock';

describe('clock', () => {
  it('prints the UTC time of day with milliseconds, as toISOString does', () => {
    const last = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    const anyDate = fc.integer({ min: 0, max: last });
    fc.assert(
      fc.property(anyDate, (ms) => {
        expect(clock(ms)).toBe(new Date(ms).toISOString().slice(11, 23));
      }),
    );
    // Runs of times a few seconds apart, as a block of replay prints them: the cache of recent seconds hit and overwritten.
    const nearby = anyDate.chain((ms) =>
      fc.array(
        fc.integer({ min: 0, max: 40_000 }).map((delta) => Math.min(last, ms + delta)),
        { maxLength: 30 },
      ),
    );
    fc.assert(
      fc.property(fc.array(nearby), (groups) => {
        for (const ms of groups.flat()) expect(clock(ms)).toBe(new Date(ms).toISOString().slice(11, 23));
      }),
    );
    expect(clock(Date.UTC(2026, 0, 1, 12, 0, 5, 120))).toBe('12:00:05.120');
    expect(clock(Date.UTC(2026, 0, 1, 23, 59, 59, 9))).toBe('23:59:59.009');
  });

  it('isoTime prints what toISOString prints, for any time, days apart or the same day', () => {
    const anyDate = fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) });
    // Runs of times within a day or two, as a log holds them, and jumps between days.
    const nearby = anyDate.chain((ms) =>
      fc.array(
        fc.integer({ min: -2 * 86_400_000, max: 2 * 86_400_000 }).map((delta) => Math.max(0, ms + delta)),
        { maxLength: 20 },
      ),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            anyDate.map((ms) => [ms]),
            nearby,
          ),
        ),
        (groups) => {
          for (const ms of groups.flat()) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
        },
      ),
    );
    for (const ms of [
      0,
      86_399_999,
      86_400_000,
      Date.UTC(2026, 0, 1, 12, 0, 5, 120),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10000, 0, 1),
      -1,
      1.5,
      8.64e15,
    ]) {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
    expect(() => isoTime(NaN)).toThrow(RangeError);
  });
});
