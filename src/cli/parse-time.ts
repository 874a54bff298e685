/**
 * `--at TIME` for replay: milliseconds since the epoch ("1767268800000"), an
 * ISO date ("2026-01-01T12:00:30.125Z"), or a UTC time of day ("12:00:30.125",
 * as explanations print it) on the day of the log's first event.
 */
export function parseTime(text: string, logStart: number | undefined): number {
  const value = text.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const timeOfDay = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value);
  if (timeOfDay) {
    if (logStart === undefined) throw new Error(`--at ${value}: a time of day needs a log with at least one event`);
    const [, h, m, s = '0', ms = '0'] = timeOfDay;
    if (Number(h) > 23 || Number(m) > 59 || Number(s) > 59) throw new Error(`--at ${value}: not a time of day`);
    const day = new Date(logStart);
    return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), Number(h), Number(m), Number(s), Number(ms.padEnd(3, '0')));
  }
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new Error(`--at ${value}: expected milliseconds since the epoch, an ISO date or a UTC time of day such as 12:00:30.125`);
  return parsed;
}
