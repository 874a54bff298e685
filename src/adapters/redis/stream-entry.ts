/**
 * One entry of a cluster's log stream, `<id> e <event JSON>`, as XREAD and
 * XRANGE return it, read as untrusted input: anyone who can write to the
 * Redis can add entries. See src/log/untrusted-event.ts for what is checked.
 */
import { parseUntrustedEvent, type UntrustedEvent } from '../../log/untrusted-event';

export const EVENT_FIELD = 'e';

/** The event an entry's fields hold (field names and values alternate), or what is wrong with it. */
export function decodeStreamEntry(fields: readonly unknown[], now = Date.now()): UntrustedEvent {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] !== EVENT_FIELD) continue;
    const value = fields[i + 1];
    return typeof value === 'string' ? parseUntrustedEvent(value, now) : { problem: 'field e is not text' };
  }
  return { problem: 'no field e' };
}
