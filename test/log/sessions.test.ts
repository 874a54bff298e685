import { describe, expect, it } from 'vitest';
import { emptySessions, foldSessions, sessionsView, socketKey, MAX_ENDED_SOCKETS_KEPT, MAX_KEPT } from '../../src/log/projections/sessions';
import { Scenario } from './scenario';

function fold(s: Scenario, retainClosed = Infinity) {
  const state = emptySessions(retainClosed);
  for (const event of s.events) expect(foldSessions(state, event)).toBe(state);
  return sessionsView(state);
}

describe('sessions projection', () => {
  it('records settings, transports in order, heartbeats and sockets', () => {
    const s = new Scenario();
    s.open(0, 'e1', { remoteAddress: '10.0.0.7' });
    s.connect(5, 'e1', 'a');
    s.add(6, { type: 'room.join', socketId: 'a', nsp: '/', room: 'lobby' });
    s.add(10, { type: 'conn.upgrade', sid: 'e1', step: 'probe', to: 'websocket' });
    const probing = fold(s).session('e1');
    expect(probing?.status).toBe('upgrading');
    s.add(20, { type: 'conn.upgrade', sid: 'e1', step: 'upgraded', to: 'websocket' });
    s.add(100, { type: 'conn.heartbeat', sid: 'e1', step: 'ping-sent' });
    s.add(110, { type: 'conn.heartbeat', sid: 'e1', step: 'pong-received' });
    const view = fold(s);
    const session = view.session('e1')!;
    expect(session).toMatchObject({
      status: 'open',
      protocol: 4,
      transport: 'websocket',
      transports: ['polling', 'websocket'],
      remoteAddress: '10.0.0.7',
      settings: { pingInterval: 25000, pingTimeout: 20000, upgradeTimeout: 10000, maxPayload: 1000000, upgrades: ['websocket'] },
      openedAt: s.start,
      heartbeat: { lastPingSentAt: s.start + 100, lastPongReceivedAt: s.start + 110 },
    });
    expect(view.socketsOf('e1').map((x) => [x.socketId, x.status, [...x.rooms]])).toEqual([['a', 'connected', ['a', 'lobby']]]);
    expect(view.socket('/', 'a')?.since).toBe(s.start + 5);
  });

  it('a live server keeps the latest ended sockets of a session, not one per namespace it ever joined; replay keeps them all', () => {
    const s = new Scenario();
    s.open(0, 'e1');
    s.connect(1, 'e1', 'kept', '/chat');
    const loops = MAX_ENDED_SOCKETS_KEPT + 50;
    for (let i = 0; i < loops; i++) {
      s.connect(2 + i, 'e1', `s${i}`, `/flood-${i}`);
      s.add(2 + i, { type: 'socket.disconnect', socketId: `s${i}`, nsp: `/flood-${i}`, reason: 'client namespace disconnect', initiator: 'client' });
    }
    const live = fold(s, 1000);
    const sockets = live.socketsOf('e1');
    expect(sockets.map((x) => x.socketId)).toEqual(['kept', ...Array.from({ length: MAX_ENDED_SOCKETS_KEPT }, (_, i) => `s${i + 50}`)]);
    expect([...live.sockets()]).toHaveLength(MAX_ENDED_SOCKETS_KEPT + 1);
    expect(fold(s).socketsOf('e1')).toHaveLength(loops + 1);
  });

  it('namespaces with long names of one length are told apart, and keep their own records', () => {
    // Past 16,383 characters V8 hashes a string by its length only: these keys are digests.
    const long = (i: number) => `/${'a'.repeat(100_000)}-${String(i).padStart(3, '0')}`;
    const s = new Scenario();
    s.open(0, 'e1');
    for (let i = 0; i < 3; i++) s.connect(1 + i, 'e1', `s${i}`, long(i));
    s.add(5, { type: 'socket.disconnect', socketId: 's1', nsp: long(1), reason: 'client namespace disconnect', initiator: 'client' });
    const live = fold(s, 1000);
    expect([0, 1, 2].map((i) => live.socket(long(i), `s${i}`)?.status)).toEqual(['connected', 'disconnected', 'connected']);
    expect(live.socket(long(0), 's1')).toBeUndefined();
    const digestKey = socketKey(long(0), 's0');
    expect(digestKey.slice(0, 2)).toBe('\u0000\u0000');
    expect(digestKey.slice(2)).toMatch(/^[0-9a-f]{64}$/);
    expect(socketKey('/chat', 'abc')).toBe('/chat\u0000abc');
  });

  it('a 2.x socket that connects again on its session (same id) is listed once', () => {
    const s = new Scenario();
    s.open(0, 'e1');
    for (let i = 0; i < 3; i++) {
      s.connect(1 + i, 'e1', '/chat#e1', '/chat');
      s.add(1 + i, { type: 'socket.disconnect', socketId: '/chat#e1', nsp: '/chat', reason: 'client namespace disconnect', initiator: 'client' });
    }
    expect(
      fold(s, 1000)
        .socketsOf('e1')
        .map((x) => x.socketId),
    ).toEqual(['/chat#e1']);
  });

  it('returns to open on a failed upgrade, staying on polling', () => {
    const s = new Scenario();
    s.open(0, 'e1');
    s.add(10, { type: 'conn.upgrade', sid: 'e1', step: 'probe', to: 'websocket' });
    s.add(20, { type: 'conn.upgrade', sid: 'e1', step: 'failed', to: 'websocket', reason: 'upgrade timeout' });
    const session = fold(s).session('e1')!;
    expect(session.status).toBe('open');
    expect(session.transports).toEqual(['polling']);
    expect(session.upgrade).toEqual({ at: s.start + 20, step: 'failed', to: 'websocket', reason: 'upgrade timeout' });
  });

  it('closes once: a second close and later upgrades change nothing', () => {
    const s = new Scenario();
    s.open(0, 'e1');
    s.add(10, { type: 'conn.close', sid: 'e1', reason: 'transport close', initiator: 'client', transport: 'polling' });
    s.add(20, { type: 'conn.close', sid: 'e1', reason: 'ping timeout', initiator: 'server', transport: 'polling' });
    s.add(30, { type: 'conn.upgrade', sid: 'e1', step: 'upgraded', to: 'websocket' });
    const session = fold(s).session('e1')!;
    expect(session.status).toBe('closed');
    expect(session.close?.reason).toBe('transport close');
    expect(session.closedAt).toBe(s.start + 10);
    expect(session.transports).toEqual(['polling']);
  });

  it('keeps the rooms a socket had when it disconnected, and its reason', () => {
    const s = new Scenario();
    s.open(0, 'e1');
    s.connect(1, 'e1', 'a');
    s.add(2, { type: 'room.join', socketId: 'a', nsp: '/', room: 'x' });
    s.add(3, { type: 'socket.disconnect', socketId: 'a', nsp: '/', reason: 'client namespace disconnect', initiator: 'client' });
    s.add(4, { type: 'room.join', socketId: 'a', nsp: '/', room: 'late' });
    const socket = fold(s).socket('/', 'a')!;
    expect(socket.status).toBe('disconnected');
    expect([...socket.rooms]).toEqual(['a', 'x']);
    expect(socket.disconnect).toEqual({ at: s.start + 3, reason: 'client namespace disconnect', initiator: 'client' });
  });

  it('takes the rooms at disconnect from the event when the server left them all first', () => {
    const s = new Scenario();
    s.open(0, 'e1');
    s.connect(1, 'e1', 'a');
    s.add(2, { type: 'room.join', socketId: 'a', nsp: '/', room: 'x' });
    s.add(3, { type: 'room.leave', socketId: 'a', nsp: '/', room: 'a' });
    s.add(3, { type: 'room.leave', socketId: 'a', nsp: '/', room: 'x' });
    s.add(3, { type: 'socket.disconnect', socketId: 'a', nsp: '/', reason: 'transport close', initiator: 'client', rooms: ['a', 'x'] });
    expect([...fold(s).socket('/', 'a')!.rooms]).toEqual(['a', 'x']);
  });

  it('keeps only the latest errors and refusals', () => {
    const s = new Scenario();
    s.open(0, 'e1');
    for (let i = 0; i < MAX_KEPT + 3; i++) {
      s.add(i, { type: 'conn.error', sid: 'e1', transport: 'polling', message: `e${i}` });
      s.add(i, { type: 'socket.refused', sid: 'e1', nsp: '/admin', message: `no ${i}` });
    }
    const session = fold(s).session('e1')!;
    expect(session.errors.map((e) => e.message)).toEqual(Array.from({ length: MAX_KEPT }, (_, i) => `e${i + 3}`));
    expect(session.refusals).toHaveLength(MAX_KEPT);
    expect(session.refusals.at(-1)).toEqual({ at: s.start + MAX_KEPT + 2, nsp: '/admin', message: `no ${MAX_KEPT + 2}` });
  });

  it('forgets the oldest finished sessions and their sockets beyond retainClosed', () => {
    const s = new Scenario();
    for (let i = 0; i < 5; i++) {
      s.open(i, `e${i}`);
      s.connect(i, `e${i}`, `s${i}`);
      s.add(i, { type: 'socket.disconnect', socketId: `s${i}`, nsp: '/', reason: 'transport close', initiator: 'client', sid: `e${i}` });
      s.add(i, { type: 'conn.close', sid: `e${i}`, reason: 'transport close', initiator: 'client', transport: 'polling' });
    }
    s.open(10, 'live');
    const view = fold(s, 2);
    expect([...view.sessions()].map((x) => x.sid)).toEqual(['e3', 'e4', 'live']);
    expect([...view.sockets()].map((x) => x.socketId)).toEqual(['s3', 's4']);
  });

  it("another node's connect of a connected socket id replaces the record; its own node's repeat changes nothing", () => {
    const state = emptySessions();
    const forged = new Scenario('node-x');
    forged.connect(0, 'forged', 'victim');
    forged.add(1, { type: 'room.join', socketId: 'victim', nsp: '/', room: 'admins-only' });
    const real = new Scenario('node-a');
    real.open(2, 'e1');
    real.connect(3, 'e1', 'victim');
    real.add(4, { type: 'socket.connect', sid: 'e1', socketId: 'victim', nsp: '/', protocol: 5 });
    for (const event of [...forged.events, ...real.events]) foldSessions(state, event);
    const socket = sessionsView(state).socket('/', 'victim')!;
    expect({ node: socket.node, sid: socket.sid, rooms: [...socket.rooms] }).toEqual({ node: 'node-a', sid: 'e1', rooms: ['victim'] });
  });
});
