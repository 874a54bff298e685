/**
 * The times `replay` takes (`--at`, `--since`, `--until`): milliseconds
 * since the epoch ("1767268800000"), an ISO date
 * ("2026-01-01T12:00:30.125Z"), or a UTC time of day ("12:00:30.125", as
 * explanations print it) on the day of the log's first event.
 */
export function parseTime(text: string, logStart: number | undefined, flag = '--at'): number {
  const value = text.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const timeOfDay = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value);
  if (timeOfDay) {
    if (logStart === undefined) throw new Error(`${flag} ${value}: a time of day needs a log with at least one event`);
    const [, h, m, s = '0', ms = '0'] = timeOfDay;
    if (Number(h) > 23 || Number(m) > 59 || Number(s) > 59) throw new Error(`${flag} ${value}: not a time of day`);
    const day = new Date(logStart);
    return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), Number(h), Number(m), Number(s), Number(ms.padEnd(3, '0')));
  }
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new Error(`${flag} ${value}: expected milliseconds since the epoch, an ISO date or a UTC time of day such as 12:00:30.125`);
  return parsed;
}

/** Whether the time depends on the log's first day (a time of day). */
export function isTimeOfDay(text: string): boolean {
  return /^\d{1,2}:\d{2}/.test(text.trim());
}
