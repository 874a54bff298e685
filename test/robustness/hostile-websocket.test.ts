/**
 * Hostile WebSocket handshakes and frames, on both Engine.IO protocols, with
 * bystanders: the header flood of CVE-2024-37890, the Sec-WebSocket-Protocol
 * ReDoS input of CVE-2021-32640, broken handshake headers, and frames that
 * break RFC 6455 (RSV bits as in CVE-2022-21676, no mask, bad UTF-8, lengths
 * up to 2^63, reserved opcodes, bad close codes, oversize or fragmented
 * control frames, fragments by the ten thousand). Each is refused or ends
 * only its own session, quickly.
 */
import { describe, expect, it } from 'vitest';
import { attackedServer } from './helpers/attacked-server';
import { type Protocol } from './helpers/raw';
import { sleep, sessionsOpenedSince, socketOfSession, STEADY_HEARTBEAT, until } from './helpers/server';
import { frame, handRolledUpgrade, text, upgradeStatus, type HandRolledSocket } from './helpers/ws-frames';

// permessage-deflate on (it is off by default), so that the extension offers below are parsed at all.
const env = attackedServer({ ...STEADY_HEARTBEAT, perMessageDeflate: true });

describe('handshakes', () => {
  it('2,100 headers (CVE-2024-37890) are answered, not crashed on', async () => {
    const since = env.running.io.log.lastPosition;
    const flood = Array.from({ length: 2100 }, (_, i) => `X-Flood-${i}: x`);
    const status = await env.bystanders.around(async () => {
      const hand = await handRolledUpgrade(env.running.port, 'EIO=4&transport=websocket', {}, flood);
      try {
        return await upgradeStatus(hand);
      } finally {
        hand.socket.destroy();
      }
    });
    // Node keeps the first 2,000 headers: the WebSocket ones are lost, so the upgrade is refused.
    expect(status === 0 || status >= 400).toBe(true);
    await sleep(20);
    expect(sessionsOpenedSince(env.running, since)).toBe(0);
  });

  it('a Sec-WebSocket-Protocol built for ReDoS (CVE-2021-32640) is answered at once', async () => {
    const start = Date.now();
    await env.bystanders.around(async () => {
      const hand = await handRolledUpgrade(env.running.port, 'EIO=4&transport=websocket', { 'Sec-WebSocket-Protocol': `b${' '.repeat(60_000)}x` });
      try {
        await upgradeStatus(hand);
      } finally {
        hand.socket.destroy();
      }
    });
    expect(Date.now() - start).toBeLessThan(1500);
  });

  const broken: Array<[string, Record<string, string>]> = [
    ['no Sec-WebSocket-Key', { 'Sec-WebSocket-Key': '' }],
    ['a short Sec-WebSocket-Key', { 'Sec-WebSocket-Key': 'c2hvcnQ=' }],
    ['Sec-WebSocket-Version 12', { 'Sec-WebSocket-Version': '12' }],
    ['a malformed permessage-deflate offer', { 'Sec-WebSocket-Extensions': 'permessage-deflate; server_max_window_bits=abc; ;;' }],
    ['an origin with a control character', { Origin: 'http://a\u0001b' }],
  ];
  it.each(broken)('%s is refused without a session', async (_name, headers) => {
    const since = env.running.io.log.lastPosition;
    const status = await env.bystanders.around(async () => {
      const hand = await handRolledUpgrade(env.running.port, 'EIO=4&transport=websocket', headers);
      try {
        return await upgradeStatus(hand);
      } finally {
        hand.socket.destroy();
      }
    });
    expect(status === 0 || status >= 400, `status ${status}`).toBe(true);
    expect(sessionsOpenedSince(env.running, since)).toBe(0);
  });
});

describe('extension offers named after Object.prototype members (ws < 3.3.1 DoS)', () => {
  it.each(['constructor', 'permessage-deflate; constructor', '__proto__, hasOwnProperty=1', 'permessage-deflate; client_max_window_bits; toString'])(
    '%s',
    async (offer) => {
      const status = await env.bystanders.around(async () => {
        const hand = await handRolledUpgrade(env.running.port, 'EIO=4&transport=websocket', { 'Sec-WebSocket-Extensions': offer });
        try {
          return await upgradeStatus(hand);
        } finally {
          hand.socket.destroy();
        }
      });
      // Unknown extensions are ignored or the offer is refused; either way it is answered.
      expect([101, 400]).toContain(status);
    },
  );
});

/** A WebSocket session opened by hand and connected to `/`; returns it and its sid. */
async function handRolledSession(protocol: Protocol): Promise<{ hand: HandRolledSocket; sid: string }> {
  const hand = await handRolledUpgrade(env.running.port, `EIO=${protocol}&transport=websocket`);
  expect(await upgradeStatus(hand)).toBe(101);
  await until(() => /0\{"sid":"[^"]+"/.test(hand.data().toString('latin1')), 'the open packet');
  const sid = /0\{"sid":"([^"]+)"/.exec(hand.data().toString('latin1'))![1];
  if (protocol === 4) hand.socket.write(text('40'));
  await until(() => socketOfSession(env.running, sid) !== undefined, 'the namespace connect');
  return { hand, sid };
}

const BAD_FRAMES: Array<[string, () => Buffer]> = [
  ['RSV2 and RSV3 set (CVE-2022-21676)', () => frame({ opcode: 1, rsv: 0b011, payload: Buffer.from('42["x"]') })],
  ['RSV1 without a negotiated extension', () => frame({ opcode: 1, rsv: 0b100, payload: Buffer.from('42["x"]') })],
  ['an unmasked client frame', () => frame({ opcode: 1, masked: false, payload: Buffer.from('42["x"]') })],
  ['invalid UTF-8 in a text frame', () => frame({ opcode: 1, payload: Buffer.from([0x34, 0x32, 0xc3, 0x28]) })],
  ['a declared length of 2^63 - 1', () => frame({ opcode: 2, declaredLength: 2n ** 63n - 1n })],
  ['a declared length just over the limit', () => frame({ opcode: 1, declaredLength: 1_000_001n })],
  ['reserved opcode 3', () => frame({ opcode: 3, payload: Buffer.from('x') })],
  ['reserved control opcode 0xB', () => frame({ opcode: 0xb })],
  ['a close frame with code 999', () => frame({ opcode: 8, payload: Buffer.from([0x03, 0xe7]) })],
  ['a ping of 126 bytes', () => frame({ opcode: 9, payload: Buffer.alloc(126) })],
  ['a fragmented ping', () => frame({ opcode: 9, fin: false, payload: Buffer.from('x') })],
  ['a continuation with nothing to continue', () => frame({ opcode: 0, payload: Buffer.from('x') })],
  // GHSA-96hv-2xvq-fx4p: memory exhaustion through countless tiny fragments (ws caps them at 16,384).
  [
    '20,000 one-byte fragments',
    () =>
      Buffer.concat([
        frame({ opcode: 1, fin: false, payload: Buffer.from('4') }),
        ...Array.from({ length: 20_000 }, () => frame({ opcode: 0, fin: false, payload: Buffer.from(' ') })),
      ]),
  ],
];

describe.each([3, 4] as Protocol[])('frames over EIO=%i', (protocol) => {
  it.each(BAD_FRAMES)('%s ends only that session', async (_name, build) => {
    const { hand, sid } = await handRolledSession(protocol);
    try {
      await env.bystanders.around(async () => {
        hand.socket.write(build());
        await until(() => env.running.io.engine.clients[sid] === undefined, 'the session to close', 2000);
        await until(() => hand.closed(), 'the server to close the TCP connection', 2000);
      });
      const close = env.running.io.log.events().filter((e) => e.type === 'conn.close' && e.sid === sid);
      expect(close).toHaveLength(1);
      expect(env.running.io.log.projections.rooms.roomsOf('/', sid)).toBeUndefined();
    } finally {
      hand.socket.destroy();
    }
  });
});
