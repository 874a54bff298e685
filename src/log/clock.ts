const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** "000" to "999". */
const MILLIS = Array.from({ length: 1000 }, (_, milli) => String(milli).padStart(3, '0'));

/**
 * The "hh:mm:ss." of seconds printed lately, each in the slot of its second:
 * a replay prints many times of the same few seconds close together.
 */
const SLOTS = 16;
const slotSecond = new Float64Array(SLOTS).fill(-1);
const slotText: string[] = new Array<string>(SLOTS).fill('');

/** How the log prints times: time of day in UTC with milliseconds, e.g. "12:00:05.120". */
export function clock(ms: number): string {
  // By arithmetic and a small cache rather than through a Date: replay prints millions of them.
  if (!Number.isSafeInteger(ms) || ms < 0) return new Date(ms).toISOString().slice(11, 23);
  const second = Math.floor(ms / 1000);
  const slot = second % SLOTS;
  if (slotSecond[slot] !== second) {
    const day = second % 86_400;
    slotText[slot] = `${two(Math.floor(day / 3600))}:${two(Math.floor(day / 60) % 60)}:${two(day % 60)}.`;
    slotSecond[slot] = second;
  }
  return slotText[slot]! + MILLIS[ms - second * 1000]!;
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
