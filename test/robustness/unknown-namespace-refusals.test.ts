/**
 * A CONNECT to a namespace the server does not have is answered 'Invalid
 * namespace' (as socket.io 2.5.1 does) and recorded as `socket.refused`, so
 * that `iostate replay` and `io.inspect()` tell why the client got no socket.
 * The name is the client's: bounded in the log and in the projection, shown
 * escaped. A flood of them goes over the connection's share of the log: the
 * refusals held back are counted by `log.suppressed`, which the live
 * projection folds as replay does, so the two still agree.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_STRING } from '../../src/log/bound';
import type { LogEventOf } from '../../src/log/events';
import { runCli } from '../cli/run-cli';
import { expectLiveEqualsReplay } from './helpers/invariants';
import { RawSession, pollingPayload, type Protocol, type RawTransport } from './helpers/raw';
import { STEADY_HEARTBEAT, sleep, startIostate, until, type Running } from './helpers/server';

let dir: string;
let running: Running | undefined;
let session: RawSession | undefined;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iostate-refusals-'));
});
afterEach(async () => {
  session?.close();
  session = undefined;
  await running?.stop();
  running = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Terminal escapes and markup: what an attacker would put in a name. */
const HOSTILE = '/nope\u001b[2J<img src=x onerror=alert(1)>\u202e';
/** What `iostate replay` prints for it. */
const HOSTILE_ESCAPED = '/nope\\x1b[2J<img src=x onerror=alert(1)>\\u202e';

const connectPacket = (protocol: Protocol, name: string) => (protocol === 3 ? `40${name}` : `40${name},`);
const refusalOf = (name: string) => (m: string) => m.startsWith(`44${name}`);

function refusalsOf(running: Running, sid: string): LogEventOf<'socket.refused'>[] {
  return running.io.log.events().filter((e): e is LogEventOf<'socket.refused'> => e.type === 'socket.refused' && e.sid === sid);
}

describe('a CONNECT to a namespace that does not exist', () => {
  it('is refused and recorded, and io.inspect() and iostate replay tell it, escaped', async () => {
    const file = path.join(dir, 'log.jsonl');
    running = await startIostate({ eventLog: { file } });
    session = await RawSession.open(running.port, 4, 'websocket');
    await session.message(`0${HOSTILE},`);
    await until(() => session!.received.some(refusalOf(HOSTILE)), 'the refusal');

    expect(refusalsOf(running, session.sid)).toEqual([expect.objectContaining({ nsp: HOSTILE, message: 'Invalid namespace' })]);
    const connection = running.io.inspect().connections.find((c) => c.sid === session!.sid);
    expect(connection?.refused).toEqual({ latest: [{ at: expect.any(Number), nsp: HOSTILE, message: 'Invalid namespace' }], notLogged: 0 });
    expectLiveEqualsReplay(running);

    await running.stop();
    await running.io.log.close();
    const text = await runCli('replay', file);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`connection to ${HOSTILE_ESCAPED} refused: Invalid namespace`);
    expect(text.stdout).not.toContain('\u001b');
  });

  it('keeps a long name cut in the log and in the projection alike', async () => {
    running = await startIostate();
    session = await RawSession.open(running.port, 4, 'websocket');
    const long = `/${'x'.repeat(20_000)}`;
    await session.message(`0${long},`);
    await until(() => session!.received.some(refusalOf(long)), 'the refusal', 10_000);
    const [refused] = refusalsOf(running, session.sid);
    expect(refused!.nsp.length).toBeLessThanOrEqual(MAX_STRING);
    expect(refused!.nsp).toMatch(/^\/x+…\[cut: 20001 chars, sha256 [0-9a-f]{12}\]$/);
    expect(running.io.log.projections.sessions.session(session.sid)?.refusals[0]?.nsp).toBe(refused!.nsp);
    expectLiveEqualsReplay(running);
  });
});

describe('a flood of them, past the connection’s share of the log', () => {
  const FLOOD = 300;
  const SHARE = 50;
  for (const [protocol, transport] of [
    [4, 'websocket'],
    [3, 'polling'],
  ] as [Protocol, RawTransport][]) {
    it(`is counted by log.suppressed, and live and replay agree before and after it (EIO=${protocol} ${transport})`, async () => {
      const file = path.join(dir, 'flood.jsonl');
      // A 2.x raw client pings every 80 ms: its heartbeats go over their budget (50) on a slow machine, and must not matter either.
      running = await startIostate({ ...STEADY_HEARTBEAT, eventLog: { file, perConnection: { records: SHARE, windowMs: 60_000 } } });
      session = await RawSession.open(running.port, protocol, transport);
      const sid = session.sid;
      const connects = Array.from({ length: FLOOD }, (_, i) => connectPacket(protocol, `/ghost-${i}`));
      if (transport === 'polling') await session.post(pollingPayload(protocol, connects));
      else for (const packet of connects) await session.packet(packet);
      await until(() => session!.received.some(refusalOf(`/ghost-${FLOOD - 1}`)), 'the last refusal', 10_000);

      // Held back, not yet summarised: neither projection lists the refusals past the share.
      const logged = refusalsOf(running, sid).length;
      expect(logged).toBeLessThan(SHARE);
      expectLiveEqualsReplay(running);

      session.close();
      await until(() => running!.io.log.events().some((e) => e.type === 'conn.close' && e.sid === sid), 'the close', 15_000);
      const summary = running.io.log.events().find((e): e is LogEventOf<'log.suppressed'> => e.type === 'log.suppressed' && e.sid === sid);
      expect(summary?.types['socket.refused']).toBe(FLOOD - logged);
      expectLiveEqualsReplay(running);
      const closed = running.io.inspect().closed.find((c) => c.sid === sid);
      expect(closed?.refused?.notLogged).toBe(FLOOD - logged);
      expect(closed?.refused?.latest.map((r) => r.nsp)).toEqual(Array.from({ length: 10 }, (_, i) => `/ghost-${logged - 10 + i}`));

      await running.stop();
      await running.io.log.close();
      const text = await runCli('replay', file, `--sid=${sid}`);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(`and ${(FLOOD - logged).toLocaleString('en-US')} more refused namespace connection(s) than listed`);
    });
  }
});

describe('heartbeats past their budget', () => {
  it('leave live and replay equal too: a held-back heartbeat is not folded into the session either', async () => {
    running = await startIostate({ ...STEADY_HEARTBEAT, eventLog: { perConnection: { records: 20, windowMs: 60_000 } } });
    // A 2.x raw client pings every 80 ms: two records each, past 20 within a second.
    session = await RawSession.open(running.port, 3, 'websocket');
    const sid = session.sid;
    const logged = () => running!.io.log.events().filter((e) => e.type === 'conn.heartbeat' && e.sid === sid).length;
    await until(() => logged() === 20, 'the heartbeat budget to be spent', 10_000);
    const lastLogged = running.io.log.projections.sessions.session(sid)!.heartbeat.lastPingReceivedAt;
    await sleep(500);
    expect(logged()).toBe(20);
    expect(running.io.log.projections.sessions.session(sid)!.heartbeat.lastPingReceivedAt).toBe(lastLogged);
    expectLiveEqualsReplay(running);
  });
});
