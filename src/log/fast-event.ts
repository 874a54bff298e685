/**
 * A shortcut past the zod schema (events.ts) for the events a log holds most
 * of (heartbeats, room joins and leaves), in their usual form: exactly the
 * schema's fields, each of the expected kind. It accepts only values the
 * schema accepts, and returns what the schema would return (a copy, fields
 * in the schema's order); anything else (another type, a missing, extra or
 * odd field) is left to the schema, which words the problem. A
 * fast-check property (test/log/fast-event.property.test.ts) holds it to that.
 */
import type { LogEvent } from './events';

const HEARTBEAT_STEPS = new Set(['ping-sent', 'pong-received', 'ping-received', 'pong-sent']);

type Value = Record<string, unknown>;

/** `seq`, `ts` and `node` as the schema wants them (seq a whole number from 0). */
function stamped(v: Value): boolean {
  const seq = v.seq;
  return typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0 && typeof v.ts === 'number' && Number.isFinite(v.ts) && typeof v.node === 'string';
}

/** How many fields the value has, without the array Object.keys makes (one a line, for 60% of a log). */
function fieldCount(v: Value): number {
  let count = 0;
  for (const _ in v) count++;
  return count;
}

/** The event, or undefined when the schema must decide. */
export function fastEvent(value: unknown): LogEvent | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Value;
  switch (v.type) {
    case 'conn.heartbeat':
      if (fieldCount(v) !== 6 || !stamped(v) || typeof v.sid !== 'string' || typeof v.step !== 'string' || !HEARTBEAT_STEPS.has(v.step)) return undefined;
      return { seq: v.seq, ts: v.ts, node: v.node, type: v.type, sid: v.sid, step: v.step } as LogEvent;
    case 'room.join':
    case 'room.leave':
      if (fieldCount(v) !== 7 || !stamped(v) || typeof v.socketId !== 'string' || typeof v.nsp !== 'string' || typeof v.room !== 'string') return undefined;
      return { seq: v.seq, ts: v.ts, node: v.node, type: v.type, socketId: v.socketId, nsp: v.nsp, room: v.room } as LogEvent;
    default:
      return undefined;
  }
}
