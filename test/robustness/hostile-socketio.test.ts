/**
 * Hostile Socket.IO packets, over both transports and both protocol
 * generations (EIO=3 / Socket.IO v4 and EIO=4 / Socket.IO v5), each while two
 * bystanders (4.x over WebSocket, 2.x over polling) keep receiving
 * broadcasts and getting acks. Undecodable packets end only the sender's
 * session, with a `conn.error` in the log; reserved event names get an error
 * and change nothing; no handler ever receives a function or a forged
 * attachment; the server never throws.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from '../../src/actors/socket';
import { Bystanders } from './helpers/bystanders';
import { ALL_VARIANTS, RawSession } from './helpers/raw';
import { sleep, socketOfSession, STEADY_HEARTBEAT, startIostate, until, type Running } from './helpers/server';
import { checkInvariants } from './helpers/invariants';

/** What the victim's session should come to. */
type Outcome = 'closed' | 'error packet' | 'ignored';

interface Case {
  name: string;
  /** Text Socket.IO packets, or buffers sent as binary messages. */
  send: Array<string | Buffer>;
  outcome: Outcome;
}

const placeholder = (num: unknown) => JSON.stringify({ _placeholder: true, num });

const CASES: Case[] = [
  { name: 'EVENT with no payload', send: ['2'], outcome: 'closed' },
  { name: 'invalid JSON', send: ['2["x",'], outcome: 'closed' },
  { name: 'object payload', send: ['2{"a":1}'], outcome: 'closed' },
  { name: 'string payload', send: ['2"x"'], outcome: 'closed' },
  { name: 'empty array payload', send: ['2[]'], outcome: 'closed' },
  // CVE-2023-32695: an event name that is not a string.
  { name: 'object as event name', send: ['2[{"toString":"x"}]'], outcome: 'closed' },
  { name: 'null as event name', send: ['2[null]'], outcome: 'closed' },
  { name: 'unknown packet type', send: ['9["x"]'], outcome: 'closed' },
  { name: 'trailing garbage', send: ['2["x"]]]'], outcome: 'closed' },
  { name: 'negative ack id', send: ['2-1["x"]'], outcome: 'closed' },
  { name: 'huge ack id', send: ['2999999999999999999999["x"]'], outcome: 'closed' },
  { name: 'ACK with an object payload', send: ['30{"a":1}'], outcome: 'closed' },
  // CVE-2022-2421: placeholders that are not an index into the attachments.
  { name: 'placeholder num "splice"', send: [`51-["x",${placeholder('splice')}]`, Buffer.from('abc')], outcome: 'closed' },
  { name: 'placeholder num "toString"', send: [`51-["x",${placeholder('toString')}]`, Buffer.from('abc')], outcome: 'closed' },
  { name: 'placeholder num out of range', send: [`51-["x",${placeholder(1)}]`, Buffer.from('abc')], outcome: 'closed' },
  { name: 'negative placeholder num', send: [`51-["x",${placeholder(-1)}]`, Buffer.from('abc')], outcome: 'closed' },
  { name: 'fractional placeholder num', send: [`51-["x",${placeholder(0.5)}]`, Buffer.from('abc')], outcome: 'closed' },
  // CVE-2020-36049 / CVE-2026-33151: attachment counts that would make the server buffer without bound.
  { name: 'huge attachment count', send: ['5999999999999-["x"]'], outcome: 'closed' },
  { name: 'attachment count over the limit', send: [`511-["x",${placeholder(0)}]`], outcome: 'closed' },
  { name: 'binary message with no binary packet pending', send: [Buffer.from('stray')], outcome: 'closed' },
  { name: 'text while an attachment is awaited', send: [`51-["x",${placeholder(0)}]`, '2["x"]'], outcome: 'closed' },
  { name: 'CONNECT with a non-JSON payload', send: ['0/x,{bad'], outcome: 'closed' },
  // CVE-2024-38355 and its siblings: reserved names from the client. Protocol v4 (2.x) answers
  // with an ERROR packet; v5 has no error packet after connect, so the server only reports it.
  ...['error', 'connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'].map((event): Case => ({
    name: `reserved event "${event}"`,
    send: [`2${JSON.stringify([event, 'forged'])}`],
    outcome: 'error packet',
  })),
  { name: 'ACK for an id never sent', send: ['3123["x"]'], outcome: 'ignored' },
  { name: 'DISCONNECT of a namespace never joined', send: ['1/nowhere,'], outcome: 'ignored' },
  { name: 'EVENT to a namespace never joined', send: ['2/nowhere,["x"]'], outcome: 'ignored' },
  { name: 'placeholder in a text packet stays a plain object', send: [`2["x",${placeholder(0)}]`], outcome: 'ignored' },
  { name: 'numeric event name', send: ['2[42,"y"]'], outcome: 'ignored' },
  // Names of Object.prototype members must reach no built-in.
  ...['__proto__', 'constructor', 'toString', 'hasOwnProperty'].map((event): Case => ({
    name: `event named "${event}"`,
    send: [`2["${event}",{"__proto__":{"polluted":true}}]`],
    outcome: 'ignored',
  })),
  {
    name: 'JSON that tries to pollute prototypes',
    send: ['2["x",{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}]'],
    outcome: 'ignored',
  },
];

let running: Running;
let bystanders: Bystanders;
/** Arguments every server-side handler of a victim received, by session id. */
const received = new Map<string, unknown[][]>();
const disconnected = new Set<string>();

beforeAll(async () => {
  running = await startIostate(STEADY_HEARTBEAT);
  running.io.on('connection', (socket: Socket) => {
    const calls: unknown[][] = [];
    received.set(socket.conn.id, calls);
    socket.on('disconnect', () => disconnected.add(socket.conn.id));
    for (const event of ['x', 'y', 42 as unknown as string]) socket.on(event, (...args: unknown[]) => calls.push(args));
  });
  bystanders = await Bystanders.join(running);
});

afterAll(async () => {
  bystanders?.leave();
  await running?.stop();
});

/** Nothing a client sends may become a function, or any object that is not plain data or a Buffer. */
function assertPlainData(value: unknown, path = 'args'): void {
  expect(typeof value, path).not.toBe('function');
  if (value === null || typeof value !== 'object') return;
  if (Buffer.isBuffer(value)) return;
  const proto = Object.getPrototypeOf(value);
  expect(proto === Object.prototype || proto === Array.prototype || proto === null, `${path} has a foreign prototype`).toBe(true);
  for (const [key, child] of Object.entries(value)) assertPlainData(child, `${path}.${key}`);
}

async function send(victim: RawSession, item: string | Buffer): Promise<void> {
  if (typeof item === 'string') await victim.message(item);
  else await victim.binary(item);
}

describe.each(ALL_VARIANTS)('hostile Socket.IO packets over EIO=%i %s', (protocol, transport) => {
  it.each(CASES)('$name', async ({ send: items, outcome: wanted }) => {
    const outcome: Outcome = wanted === 'error packet' && protocol === 4 ? 'ignored' : wanted;
    const victim = await RawSession.open(running.port, protocol, transport);
    try {
      const before = victim.received.length;
      await bystanders.around(async () => {
        for (const item of items) await send(victim, item);
        if (outcome === 'closed') await until(() => running.io.engine.clients[victim.sid] === undefined, 'the victim session to close');
        else await sleep(30);
      });

      const events = running.io.log.events().filter((e) => 'sid' in e && e.sid === victim.sid);
      if (outcome === 'closed') {
        expect(
          events.some((e) => e.type === 'conn.error'),
          'a conn.error names the bad packet',
        ).toBe(true);
        expect(events.filter((e) => e.type === 'conn.close')).toHaveLength(1);
      } else {
        expect(running.io.engine.clients[victim.sid], 'the victim is still connected').toBeDefined();
        expect(disconnected.has(victim.sid), 'no forged disconnect').toBe(false);
        expect(socketOfSession(running, victim.sid)?.connected).toBe(true);
        if (outcome === 'error packet') await until(() => victim.received.slice(before).some((m) => m.startsWith('44')), 'an error packet for the victim');
      }
      for (const args of received.get(victim.sid) ?? []) assertPlainData(args);
      expect(({} as Record<string, unknown>).polluted, 'Object.prototype untouched').toBeUndefined();
      checkInvariants(running.io);
    } finally {
      victim.close();
    }
  });
});
