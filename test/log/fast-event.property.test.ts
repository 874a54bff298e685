/**
 * The shortcut past the schema (fast-event.ts) must not change what a log
 * reader accepts or what it gets: for well-formed events of its types, and
 * for the same events with a field dropped, added, retyped or given an odd
 * value, whenever it answers, the zod schema accepts the value and returns
 * the same event, field order included; and it answers for the well-formed
 * ones, so that the property is not met by never answering.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { logEvent } from '../../src/log/events';
import { fastEvent } from '../../src/log/fast-event';
import { parseUntrustedEvent } from '../../src/log/untrusted-event';

const stamp = {
  seq: fc.nat(),
  ts: fc.oneof(fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }), fc.double({ noNaN: true, noDefaultInfinity: true })),
  node: fc.string(),
};
const heartbeat = fc.record({
  ...stamp,
  type: fc.constant('conn.heartbeat'),
  sid: fc.string(),
  step: fc.constantFrom('ping-sent', 'pong-received', 'ping-received', 'pong-sent'),
});
const room = fc.record({ ...stamp, type: fc.constantFrom('room.join', 'room.leave'), socketId: fc.string(), nsp: fc.string(), room: fc.string() });

/** The fields in any order, as another writer may put them. */
const shuffled = (event: fc.Arbitrary<Record<string, unknown>>) =>
  event.chain((fields) =>
    fc
      .shuffledSubarray(Object.keys(fields), { minLength: Object.keys(fields).length })
      .map((keys) => Object.fromEntries(keys.map((key) => [key, fields[key]]))),
  );
const wellFormed = fc.oneof(shuffled(heartbeat), shuffled(room));

const oddValue = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(
    -1,
    0.5,
    -0.5,
    Number.MAX_SAFE_INTEGER + 1,
    2 ** 60,
    1e308,
    '',
    'ping',
    'conn.heartbeat',
    'room.join',
    'room.leave',
    'socket.connect',
    'websocket',
  ),
);

/** One change that may or may not leave the event valid. */
const mutated = fc.tuple(wellFormed, fc.nat(), fc.constantFrom('drop', 'add', 'set'), fc.string(), oddValue).map(([event, pick, change, name, value]) => {
  const copy: Record<string, unknown> = { ...event };
  const keys = Object.keys(copy);
  const key = keys[pick % keys.length]!;
  if (change === 'drop') delete copy[key];
  else if (change === 'add') copy[name] = value;
  else copy[key] = value;
  return copy;
});

/** As read from a line of a log. */
const asRead = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

function sameAsSchema(value: unknown): void {
  const fast = fastEvent(value);
  if (fast === undefined) return;
  const schema = logEvent.safeParse(value);
  expect(schema.success).toBe(true);
  expect(JSON.stringify(fast)).toBe(JSON.stringify(schema.data));
  expect(fast).toEqual(schema.data);
}

describe('fastEvent', () => {
  it('answers for well-formed heartbeats and room changes, with what the schema returns', () => {
    fc.assert(
      fc.property(wellFormed.map(asRead), (value) => {
        expect(fastEvent(value)).toBeDefined();
        sameAsSchema(value);
      }),
    );
  });

  it('answers for a changed event only as the schema does, and parseUntrustedEvent gives the same answer with or without it', () => {
    fc.assert(
      fc.property(mutated.map(asRead), (value) => {
        sameAsSchema(value);
        // The whole check of a line: the same event or the same problem either way.
        const text = JSON.stringify(value);
        const schema = logEvent.safeParse(value);
        const read = parseUntrustedEvent(text, Date.UTC(2100, 0, 1));
        if (!schema.success) expect(read.event).toBeUndefined();
        else if (read.event) expect(JSON.stringify(read.event)).toBe(JSON.stringify(schema.data));
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves other types, arrays, null and the prototype trick to the schema', () => {
    for (const value of [
      null,
      [],
      'conn.heartbeat',
      1,
      { type: 'conn.open' },
      asRead({ __proto__: null, seq: 1, ts: 1, node: 'n', type: 'room.join', socketId: 's', nsp: '/', room: 'r' }),
    ]) {
      sameAsSchema(value);
    }
    const withProto = JSON.parse('{"seq":1,"ts":1,"node":"n","type":"conn.heartbeat","sid":"s","__proto__":{"step":"ping-sent"}}') as unknown;
    expect(fastEvent(withProto)).toBeUndefined();
    expect(logEvent.safeParse(withProto).success).toBe(false);
  });
});
