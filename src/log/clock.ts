/** How the log prints times: time of day in UTC with milliseconds, e.g. "12:00:05.120". */
export function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

/** Full UTC timestamp, e.g. "2026-01-01T12:00:05.120Z". */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
