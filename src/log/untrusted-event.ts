/**
 * Reading an event that comes from outside this process, such as another
 * node's entry in a cluster's Redis stream, which anyone who can write to
 * that Redis can forge. Before the schema (events.ts) it must fit a size cap;
 * after it, its fields must be sane: a node name of reasonable length, times
 * (`ts`, the last ping and pong) that a Date can hold and that are not far
 * ahead of this clock, durations and sizes that are whole and not negative.
 * The answer is the event, or a problem worded without any of the entry's
 * own text (problems end up in terminals and logs).
 */
import { logEvent, type LogEvent } from './events';
import { fastEvent } from './fast-event';

/** The longest serialised event taken in (and written to a shared stream). */
export const MAX_EVENT_CHARS = 64 * 1024;
export const MAX_NODE_NAME_CHARS = 256;
/** 2000-01-01T00:00:00Z: no iostate log is older. */
export const MIN_EVENT_TS = Date.UTC(2000, 0, 1);
/** How far ahead of this clock another node's clock may be. */
export const MAX_EVENT_TS_AHEAD = 24 * 60 * 60 * 1000;

/** Milliseconds since the epoch: explanations and the inspector print them as dates. */
const TIME_FIELDS = ['ts', 'lastPingAt', 'lastPongAt'] as const;
/** Durations, sizes and codes: printed as whole numbers. */
const WHOLE_FIELDS = ['pingInterval', 'pingTimeout', 'upgradeTimeout', 'maxPayload', 'size', 'limit', 'wsCode'] as const;

export type UntrustedEvent = { event: LogEvent; problem?: undefined } | { event?: undefined; problem: string };

export function parseUntrustedEvent(text: string, now = Date.now()): UntrustedEvent {
  if (text.length > MAX_EVENT_CHARS) return { problem: `${text.length} characters, over the ${MAX_EVENT_CHARS} an event may have` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'not JSON' };
  }
  const fast = fastEvent(value);
  const result = fast ? { success: true as const, data: fast } : logEvent.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    if (issue.path.length === 1 && issue.path[0] === 'type') return { problem: 'not an event (unknown type)' };
    const path = issue.path.map((part) => (typeof part === 'string' && /^[A-Za-z][A-Za-z0-9]{0,31}$/.test(part) ? part : '?')).join('.');
    return { problem: `not an event (${path ? `${path}: ` : ''}${printable(issue.message, 120)})` };
  }
  const event = result.data;
  if (event.node.length === 0 || event.node.length > MAX_NODE_NAME_CHARS)
    return { problem: `node name of ${event.node.length} characters (1 to ${MAX_NODE_NAME_CHARS})` };
  const fields = event as unknown as Record<string, unknown>;
  for (const field of TIME_FIELDS) {
    const value = fields[field];
    if (value !== undefined && (!Number.isInteger(value) || (value as number) < MIN_EVENT_TS || (value as number) > now + MAX_EVENT_TS_AHEAD)) {
      return { problem: `${field} ${String(value)} out of range (after 2000-01-01, at most a day ahead of this clock)` };
    }
  }
  for (const field of WHOLE_FIELDS) {
    const value = fields[field];
    if (value !== undefined && (!Number.isSafeInteger(value) || (value as number) < 0))
      return { problem: `${field} ${String(value)} is not a whole number of at least 0` };
  }
  return { event };
}

/** `text` cut to `max` characters, with every control character (C0, DEL, C1) shown as `?`: safe in a terminal. */
export function printable(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const safe = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return safe.length > max ? `${safe.slice(0, max)}…` : safe;
}
