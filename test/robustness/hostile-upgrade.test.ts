/**
 * Upgrade races and abuse, on both protocols, with bystanders: two
 * WebSockets racing to upgrade one session, upgrading a session twice or
 * with the other protocol, a probe whose WebSocket drops or never confirms,
 * an upgrade without a probe, and polling after the upgrade. The session
 * ends up on exactly one transport, keeps delivering, and closes once.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Socket } from '../../src/actors/socket';
import { attackedServer } from './helpers/attacked-server';
import { PATH, RawSession, openProbe, rawRequest, type Probe, type Protocol } from './helpers/raw';
import { sleep, socketOfSession, STEADY_HEARTBEAT, until } from './helpers/server';
import { checkInvariants } from './helpers/invariants';

const UPGRADE_TIMEOUT = 300;

const env = attackedServer({ ...STEADY_HEARTBEAT, upgradeTimeout: UPGRADE_TIMEOUT });

/** Opens a WebSocket for an existing session; `status` resolves with 101 or the refusal's status. */
const probeSocket = (protocol: Protocol, sid: string): Probe => openProbe(env.running.port, protocol, sid);

const upgrades = (sid: string, step: string) => env.running.io.log.events().filter((e) => e.type === 'conn.upgrade' && e.sid === sid && e.step === step).length;
const serverSocket = (sid: string): Socket => socketOfSession(env.running, sid)!;

/** The session still delivers: a server emit reaches whichever transport it is on. */
async function stillDelivers(sid: string, inbox: () => string[]): Promise<void> {
  const marker = `m${Math.random()}`;
  serverSocket(sid).emit('check', marker);
  await until(() => inbox().some((frame) => frame.includes(marker)), 'a message on the current transport');
}

describe.each([3, 4] as Protocol[])('upgrades on EIO=%i', (protocol) => {
  it('two WebSockets racing to upgrade one session: exactly one wins', async () => {
    const session = await RawSession.open(env.running.port, protocol, 'polling');
    const probes: Probe[] = [];
    try {
      await env.bystanders.around(async () => {
        probes.push(probeSocket(protocol, session.sid), probeSocket(protocol, session.sid));
        const statuses = await Promise.all(probes.map((p) => p.status));
        for (const [i, status] of statuses.entries()) if (status === 101) probes[i].ws.send('2probe');
        await sleep(50);
        const answered = probes.filter((p) => p.frames.includes('3probe'));
        expect(answered.length).toBeLessThanOrEqual(1);
        for (const p of answered) p.ws.send('5');
        await until(() => env.running.io.engine.clients[session.sid]?.transport.name === 'websocket' || answered.length === 0, 'the upgrade');
      });
      expect(upgrades(session.sid, 'upgraded')).toBeLessThanOrEqual(1);
      const winner = probes.find((p) => p.frames.includes('3probe'));
      await stillDelivers(session.sid, () => (winner && upgrades(session.sid, 'upgraded') === 1 ? winner.frames : session.received));
      checkInvariants(env.running.io);
    } finally {
      session.close();
      for (const p of probes) p.ws.terminate();
    }
    await until(() => env.running.io.engine.clients[session.sid] === undefined, 'the session to close');
    expect(env.running.io.log.events().filter((e) => e.type === 'conn.close' && e.sid === session.sid)).toHaveLength(1);
  });

  it('a session on WebSocket cannot be upgraded again (the WebSocket is closed at once), and polling it is refused', async () => {
    const session = await RawSession.open(env.running.port, protocol, 'polling');
    const first = probeSocket(protocol, session.sid);
    let second: Probe | undefined;
    try {
      expect(await first.status).toBe(101);
      first.ws.send('2probe');
      await until(() => first.frames.includes('3probe'), 'the probe answer');
      first.ws.send('5');
      await until(() => env.running.io.engine.clients[session.sid]?.transport.name === 'websocket', 'the upgrade');
      await env.bystanders.around(async () => {
        second = probeSocket(protocol, session.sid);
        const secondClosed = new Promise((resolve) => second!.ws.once('close', resolve));
        expect(await second.status).toBe(101);
        second.ws.send('2probe');
        await secondClosed;
        expect(second.frames).toEqual([]);
        const poll = await rawRequest(env.running.port, 'GET', `${PATH}?${session.query}`);
        expect(poll.status).toBe(400);
      });
      await stillDelivers(session.sid, () => first.frames);
    } finally {
      session.close();
      first.ws.terminate();
      second?.ws.terminate();
    }
  });

  it('an upgrade with the other protocol is refused', async () => {
    const session = await RawSession.open(env.running.port, protocol, 'polling');
    try {
      const other = probeSocket(protocol === 3 ? 4 : 3, session.sid);
      expect(await env.bystanders.around(() => other.status)).toBe(400);
      other.ws.terminate();
      await stillDelivers(session.sid, () => session.received);
    } finally {
      session.close();
    }
  });

  it('a probe whose WebSocket drops before the upgrade leaves the session on polling', async () => {
    const session = await RawSession.open(env.running.port, protocol, 'polling');
    try {
      await env.bystanders.around(async () => {
        const probe = probeSocket(protocol, session.sid);
        expect(await probe.status).toBe(101);
        probe.ws.send('2probe');
        await until(() => probe.frames.includes('3probe'), 'the probe answer');
        probe.ws.terminate();
        await until(() => upgrades(session.sid, 'failed') === 1, 'the failed upgrade');
      });
      expect(env.running.io.engine.clients[session.sid]?.transport.name).toBe('polling');
      await stillDelivers(session.sid, () => session.received);
    } finally {
      session.close();
    }
  });

  it('a probe never confirmed times out and leaves the session on polling', async () => {
    const session = await RawSession.open(env.running.port, protocol, 'polling');
    const probe = probeSocket(protocol, session.sid);
    try {
      await env.bystanders.around(async () => {
        expect(await probe.status).toBe(101);
        probe.ws.send('2probe');
        await until(() => upgrades(session.sid, 'failed') === 1, 'the upgrade timeout', UPGRADE_TIMEOUT + 1500);
      });
      await until(() => probe.ws.readyState === WebSocket.CLOSED, 'the probe WebSocket to be closed');
      expect(env.running.io.engine.clients[session.sid]?.transport.name).toBe('polling');
      await stillDelivers(session.sid, () => session.received);
    } finally {
      session.close();
      probe.ws.terminate();
    }
  });

  it('an upgrade without a probe either upgrades or leaves polling working', async () => {
    const session = await RawSession.open(env.running.port, protocol, 'polling');
    const probe = probeSocket(protocol, session.sid);
    try {
      await env.bystanders.around(async () => {
        expect(await probe.status).toBe(101);
        probe.ws.send('5');
        await sleep(50);
      });
      const upgraded = env.running.io.engine.clients[session.sid]?.transport.name === 'websocket';
      expect(upgrades(session.sid, 'upgraded')).toBe(upgraded ? 1 : 0);
      await stillDelivers(session.sid, () => (upgraded ? probe.frames : session.received));
    } finally {
      session.close();
      probe.ws.terminate();
    }
  });
});
