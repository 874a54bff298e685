/** How the log prints times: time of day in UTC with milliseconds, e.g. "12:00:05.120". */
export function clock(ms: number): string {
  // By arithmetic rather than through a Date: replay prints millions of them.
  if (!Number.isSafeInteger(ms) || ms < 0) return new Date(ms).toISOString().slice(11, 23);
  const day = ms % 86_400_000;
  const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
  const milli = day % 1000;
  return `${two(Math.floor(day / 3_600_000))}:${two(Math.floor(day / 60_000) % 60)}:${two(Math.floor(day / 1000) % 60)}.${milli < 10 ? `00${milli}` : milli < 100 ? `0${milli}` : milli}`;
}

/** The latest day isoTime printed, and its date: a replay prints mostly times of the same few days. */
let lastDay = NaN;
let lastDate = '';

/** The last day ISO strings have four digits of year for: 9999-12-31. */
const LAST_ISO_DAY = 2_932_896;

/** Full UTC timestamp, e.g. "2026-01-01T12:00:05.120Z". */
export function isoTime(ms: number): string {
  // The date through a Date once a day, the time of day by arithmetic: replay prints one or two a connection.
  if (!Number.isSafeInteger(ms) || ms < 0) return new Date(ms).toISOString();
  const day = Math.floor(ms / 86_400_000);
  if (day > LAST_ISO_DAY) return new Date(ms).toISOString();
  if (day !== lastDay) {
    lastDate = new Date(day * 86_400_000).toISOString().slice(0, 10);
    lastDay = day;
  }
  return `${lastDate}T${clock(ms)}Z`;
}
