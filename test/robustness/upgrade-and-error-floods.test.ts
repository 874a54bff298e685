/**
 * Upgrade attempts and protocol errors past a connection's share of the log:
 * a polling client that opens a WebSocket for its session, probes or not,
 * and drops it, again and again, and a client that sends bad packets after
 * spending its share. The log holds the attempts back past the share, yet
 * the live sessions projection stays what replay of the log folds, and both
 * tell the server's transport; the upgrade that succeeds and the error that
 * ends the connection are always in the log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_STRING } from '../../src/log/bound';
import type { LogEventOf } from '../../src/log/events';
import { expectLiveEqualsReplay, replayed } from './helpers/invariants';
import { RawSession, openProbe, pollingPayload, type Protocol, type RawTransport } from './helpers/raw';
import { STEADY_HEARTBEAT, startIostate, until, type Running } from './helpers/server';

const SHARE = 10;
const ATTEMPTS = 24;

let running: Running | undefined;
let session: RawSession | undefined;
afterEach(async () => {
  session?.close();
  session = undefined;
  await running?.stop();
  running = undefined;
});

async function start(): Promise<Running> {
  return startIostate({ ...STEADY_HEARTBEAT, eventLog: { perConnection: { records: SHARE, windowMs: 60_000 } } });
}

/** Upgrade steps the server took, held back or not (the counters fold every record). */
function stepsTaken(running: Running, step: string): number {
  let n = 0;
  for (const counters of running.io.log.projections.counters.nodes.values()) n += counters.upgrades.get(step) ?? 0;
  return n;
}

const logged = <T extends 'conn.upgrade' | 'conn.error'>(running: Running, sid: string, type: T) =>
  running.io.log.events().filter((e): e is LogEventOf<T> => e.type === type && e.sid === sid);

/** The live session and the replayed one, which must agree on how it is connected. */
function expectTransport(running: Running, sid: string, transport: 'polling' | 'websocket'): void {
  expectLiveEqualsReplay(running);
  expect(running.io.log.projections.sessions.session(sid)).toMatchObject({ status: 'open', transport });
  expect(replayed(running.io.log.events()).sessions.session(sid)).toMatchObject({ status: 'open', transport });
}

describe.each([3, 4] as Protocol[])('upgrade attempts past the share (EIO=%i)', (protocol) => {
  it('leave live and replay equal, on polling, and the upgrade that succeeds is logged', async () => {
    running = await start();
    session = await RawSession.open(running.port, protocol, 'polling');
    const sid = session.sid;
    for (let i = 0; i < ATTEMPTS; i++) {
      const probe = openProbe(running.port, protocol, sid);
      expect(await probe.status).toBe(101);
      // No probe, one, or two on the same WebSocket: each is a record.
      const probes = i % 3;
      for (let p = 0; p < probes; p++) probe.ws.send('2probe');
      await until(() => probe.frames.filter((f) => f === '3probe').length === probes, 'the probe answers');
      probe.ws.terminate();
      await until(() => stepsTaken(running!, 'failed') === i + 1, 'the failed upgrade');
      expectTransport(running, sid, 'polling');
    }
    expect(logged(running, sid, 'conn.upgrade').length, 'attempts held back').toBeLessThan(stepsTaken(running, 'probe') + ATTEMPTS);

    const probe = openProbe(running.port, protocol, sid);
    expect(await probe.status).toBe(101);
    probe.ws.send('2probe');
    await until(() => probe.frames.includes('3probe'), 'the probe answer');
    probe.ws.send('5');
    await until(() => stepsTaken(running!, 'upgraded') === 1, 'the upgrade');
    expect(logged(running, sid, 'conn.upgrade').at(-1)?.step).toBe('upgraded');
    expectTransport(running, sid, 'websocket');

    probe.ws.terminate();
    await until(() => running!.io.log.events().some((e) => e.type === 'conn.close' && e.sid === sid), 'the close', 15_000);
    const summary = running.io.log.events().find((e): e is LogEventOf<'log.suppressed'> => e.type === 'log.suppressed' && e.sid === sid);
    expect(summary?.types['conn.upgrade']).toBe(stepsTaken(running, 'probe') + stepsTaken(running, 'failed') + 1 - logged(running, sid, 'conn.upgrade').length);
    expectLiveEqualsReplay(running);
  });
});

describe('bad packets past the share', () => {
  for (const [protocol, transport] of [
    [3, 'polling'],
    [4, 'websocket'],
  ] as [Protocol, RawTransport][]) {
    it(`give one conn.error, always logged, and live and replay agree (EIO=${protocol} ${transport})`, async () => {
      running = await start();
      session = await RawSession.open(running.port, protocol, transport);
      const sid = session.sid;
      // The share spent on refused namespace connections, then bad Socket.IO packets (an unknown packet type), many at once.
      const spend = Array.from({ length: 2 * SHARE }, (_, i) => (protocol === 3 ? `40/ghost-${i}` : `40/ghost-${i},`));
      const bad = Array.from({ length: 20 }, () => '49["x"]');
      if (transport === 'polling') await session.post(pollingPayload(protocol, [...spend, ...bad]));
      else for (const packet of [...spend, ...bad]) await session.packet(packet);
      await until(() => running!.io.log.events().some((e) => e.type === 'conn.close' && e.sid === sid), 'the close', 15_000);

      expect(running.io.log.events().some((e) => e.type === 'log.suppressed' && e.sid === sid && e.types['socket.refused'] !== undefined)).toBe(true);
      expect(logged(running, sid, 'conn.error').map((e) => e.message)).toEqual([expect.stringMatching(/^parse error: /)]);
      expectLiveEqualsReplay(running);
      expect(running.io.log.projections.sessions.session(sid)?.errors).toHaveLength(1);
    });
  }

  it('name the packet in a message cut as the log cuts it, when it quotes the client at length', async () => {
    running = await start();
    session = await RawSession.open(running.port, 4, 'websocket');
    const sid = session.sid;
    const num = 'n'.repeat(5000);
    await session.message(`51-["x",{"_placeholder":true,"num":"${num}"}]`);
    await session.binary(Buffer.from('abc'));
    await until(() => logged(running!, sid, 'conn.error').length === 1, 'the conn.error');
    const [error] = logged(running, sid, 'conn.error');
    expect(error!.message.length).toBeLessThanOrEqual(MAX_STRING);
    expect(error!.message).toMatch(/^parse error: placeholder num "n+…\[cut: \d+ chars, sha256 [0-9a-f]{12}\]$/);
    expectLiveEqualsReplay(running);
  });
});
