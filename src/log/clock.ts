/** How the log prints times: time of day in UTC with milliseconds, e.g. "12:00:05.120". */
export function clock(ms: number): string {
  // By arithmetic rather than through a Date: replay prints millions of them.
  if (!Number.isSafeInteger(ms) || ms < 0) return new Date(ms).toISOString().slice(11, 23);
  const day = ms % 86_400_000;
  const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
  const milli = day % 1000;
  return `${two(Math.floor(day / 3_600_000))}:${two(Math.floor(day / 60_000) % 60)}:${two(Math.floor(day / 1000) % 60)}.${milli < 10 ? `00${milli}` : milli < 100 ? `0${milli}` : milli}`;
}

/** Full UTC timestamp, e.g. "2026-01-01T12:00:05.120Z". */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
