/**
 * Hostile Engine.IO packets and payload framing, on both protocols and
 * transports, with bystanders: unknown packet types, heartbeats in the wrong
 * direction, bad base64, broken v3 length prefixes and binary payloads, and
 * binary POST bodies where none are allowed (CVE-2026-59725's class). Each
 * either is understood or ends only the sender's session, with one close and
 * one reason in the log.
 */
import { describe, expect, it } from 'vitest';
import { attackedServer } from './helpers/attacked-server';
import { ALL_VARIANTS, RawSession, type Protocol } from './helpers/raw';
import { sleep, STEADY_HEARTBEAT, until } from './helpers/server';
import { checkInvariants } from './helpers/invariants';

const env = attackedServer(STEADY_HEARTBEAT);

type Expectation = 'closed' | 'open';

/** Engine.IO packets sent as one message each: [name, packet, v3 outcome, v4 outcome]. */
const PACKETS: Array<[string, string, Expectation, Expectation]> = [
  // (A v3 polling payload skips empty records, as engine.io-parser 2 does: see the override below.)
  ['an empty packet', '', 'closed', 'closed'],
  ['unknown packet type 9', '9', 'closed', 'closed'],
  ['a letter as packet type', 'x', 'closed', 'closed'],
  ['a noop from the client', '6', 'open', 'open'],
  // An empty message is no Socket.IO packet.
  ['an empty message', '4', 'closed', 'closed'],
  ['a pong nobody asked for (v3: wrong direction)', '3', 'closed', 'open'],
  ['a ping from the client (v4: wrong direction)', '2', 'open', 'closed'],
  ['an upgrade packet with no upgrade under way (ignored)', '5', 'open', 'open'],
  ['bad base64', 'b4!!!', 'closed', 'closed'],
  ['a close packet', '1', 'closed', 'closed'],
];

async function expectOutcome(victim: RawSession, expected: Expectation): Promise<void> {
  if (expected === 'closed') {
    await until(() => env.running.io.engine.clients[victim.sid] === undefined, 'the session to close');
    const closes = env.running.io.log.events().filter((e) => e.type === 'conn.close' && e.sid === victim.sid);
    expect(closes).toHaveLength(1);
  } else {
    await sleep(30);
    expect(env.running.io.engine.clients[victim.sid], 'the session is still open').toBeDefined();
  }
}

describe.each(ALL_VARIANTS)('Engine.IO packets over EIO=%i %s', (protocol, transport) => {
  it.each(PACKETS)('%s', async (_name, packet, v3, v4) => {
    const victim = await RawSession.open(env.running.port, protocol, transport);
    try {
      await env.bystanders.around(async () => {
        await victim.packet(packet).catch(() => undefined);
        const skipped = packet === '' && protocol === 3 && transport === 'polling';
        await expectOutcome(victim, skipped ? 'open' : protocol === 3 ? v3 : v4);
      });
      checkInvariants(env.running.io);
    } finally {
      victim.close();
    }
  });
});

/** Whole polling bodies: [name, body, content type, protocol]. */
const BODIES: Array<[string, string | Buffer, string, Protocol]> = [
  ['a length prefix far beyond the body', '99999999:4', 'text/plain', 3],
  ['a length prefix that is not a number', 'abc:4', 'text/plain', 3],
  ['a length that cuts a character in half', '3:4é', 'text/plain', 3],
  ['a length prefix with no packet', '1:', 'text/plain', 3],
  [
    'a binary payload with no 0xff separator',
    Buffer.from([0x00, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09]),
    'application/octet-stream',
    3,
  ],
  ['a binary payload with a length beyond the body', Buffer.from([0x01, 0x09, 0x09, 0x09, 0xff, 0x04]), 'application/octet-stream', 3],
  ['a binary payload with a bad type byte', Buffer.from([0x07, 0x01, 0xff, 0x04]), 'application/octet-stream', 3],
  ['empty records between separators', '4a\x1e\x1e\x1e4b', 'text/plain', 4],
  // CVE-2026-59725: v4 polling bodies are text; a binary body is refused.
  ['a binary body', Buffer.from([0x04, 0x01, 0x02]), 'application/octet-stream', 4],
];

describe('polling bodies', () => {
  it.each(BODIES)('%s (EIO=%i)', async (_name, body, contentType, protocol) => {
    const victim = await RawSession.open(env.running.port, protocol, 'polling');
    try {
      const res = await env.bystanders.around(() => victim.post(body, { 'Content-Type': contentType }));
      if (res.status === 200) {
        await sleep(30);
      } else {
        expect(res.status).toBe(400);
        await until(() => env.running.io.engine.clients[victim.sid] === undefined, 'the session to close');
      }
      checkInvariants(env.running.io);
    } finally {
      victim.close();
    }
  });
});
