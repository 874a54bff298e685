import { describe, expect, it } from 'vitest';
import { EventLog } from '../../src/log/event-log';
import type { LogEventInput } from '../../src/log/events';
import { buildSnapshot, inspectSnapshotSchema } from '../../src/inspect/snapshot';
import { LIFECYCLE_MACHINES } from '../../src/inspect/mermaid';
import { connectionStateSchema, socketStateSchema } from '../../src/inspect/snapshot';
import { connOpen } from './fixture';

const open = (sid: string, protocol: 3 | 4 = 4): LogEventInput => connOpen(sid, { protocol });

/** `count` connections on `/`, each with its socket, its own room and one of ten shared rooms. */
function populate(log: EventLog, count: number): void {
  for (let i = 0; i < count; i++) {
    const sid = `s${i}`;
    log.record(open(sid));
    log.record({ type: 'socket.connect', sid, socketId: sid, nsp: '/', protocol: 5 });
    log.record({ type: 'room.join', socketId: sid, nsp: '/', room: sid });
    log.record({ type: 'room.join', socketId: sid, nsp: '/', room: `room-${i % 10}` });
    if (i % 2 === 0) log.record({ type: 'conn.upgrade', sid, step: 'upgraded', to: 'websocket' });
  }
}

/** An EventLog stands in for a server: no namespace objects, no engine. */
const fromLog = (log: EventLog) => ({ log, nsps: new Map() });

describe('buildSnapshot from the projections alone', () => {
  it('lists connections, sockets, rooms and recent closes, valid against the schema', () => {
    const log = new EventLog({ node: 'n1' });
    populate(log, 3);
    log.record({ type: 'conn.heartbeat', sid: 's1', step: 'ping-sent' });
    log.record({ type: 'socket.disconnect', socketId: 's2', nsp: '/', reason: 'ping timeout', initiator: 'server', sid: 's2' });
    log.record({ type: 'conn.close', sid: 's2', reason: 'ping timeout', initiator: 'server', transport: 'websocket' });

    const snapshot = inspectSnapshotSchema.parse(buildSnapshot(fromLog(log)));
    expect(snapshot.node).toBe('n1');
    expect(snapshot.lastSeq).toBe(log.lastSeq);
    expect(snapshot.totals).toEqual({ namespaces: 1, sockets: 2, connections: 2, rooms: 4 });
    expect(snapshot.namespaces).toEqual([{ name: '/', state: 'active', sockets: 2, rooms: 2 }]);
    expect(snapshot.sockets.map((s) => [s.id, s.state, s.transport, s.rooms])).toEqual([
      ['s0', 'connected', 'websocket', ['s0', 'room-0']],
      ['s1', 'connected', 'polling', ['s1', 'room-1']],
    ]);
    expect(snapshot.connections.find((c) => c.sid === 's1')).toMatchObject({ state: 'polling', protocol: 4, remoteAddress: '10.0.0.1', sockets: 1 });
    expect(snapshot.connections.find((c) => c.sid === 's1')!.lastPingAt).toBeTypeOf('number');
    expect(snapshot.rooms).toContainEqual({ nsp: '/', name: 'room-0', members: 1, socketRoom: false });
    expect(snapshot.rooms).toContainEqual({ nsp: '/', name: 's0', members: 1, socketRoom: true });
    expect(snapshot.closed).toHaveLength(1);
    expect(snapshot.closed[0]).toMatchObject({ sid: 's2', reason: 'ping timeout', transports: ['polling', 'websocket'] });
    expect(snapshot.closed[0]!.explanation).toMatch(/^ping timeout: no pong since the connection opened at/);
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  it('cuts lists to `limit` but counts everything', () => {
    const log = new EventLog();
    populate(log, 30);
    const snapshot = buildSnapshot(fromLog(log), { limit: 5 });
    expect(snapshot.sockets).toHaveLength(5);
    expect(snapshot.connections).toHaveLength(5);
    expect(snapshot.rooms).toHaveLength(5);
    expect(snapshot.totals.sockets).toBe(30);
    expect(snapshot.totals.rooms).toBe(40);
    expect(snapshot.truncated).toBe(true);
  });

  it('finds entries by text across every socket, not only the first `limit`, and can leave out socket rooms', () => {
    const log = new EventLog();
    populate(log, 1000);
    log.record({ type: 'socket.disconnect', socketId: 's7', nsp: '/', reason: 'transport close', initiator: 'client', sid: 's7' });
    log.record({ type: 'conn.close', sid: 's7', reason: 'transport close', initiator: 'client', transport: 'polling' });
    const found = inspectSnapshotSchema.parse(buildSnapshot(fromLog(log), { limit: 10, match: 'S999' }));
    expect(found.sockets.map((s) => s.id)).toEqual(['s999']);
    expect(found.connections.map((c) => c.sid)).toEqual(['s999']);
    expect(found.matched).toEqual({ sockets: 1, connections: 1, rooms: 1 });
    expect(found.totals.sockets).toBe(999);
    expect(buildSnapshot(fromLog(log), { match: 's7' }).closed.map((c) => c.sid)).toEqual(['s7']);
    const byRoom = buildSnapshot(fromLog(log), { match: 'room-3' });
    expect(byRoom.matched!.sockets).toBe(100);
    expect(byRoom.rooms.map((r) => r.name)).toEqual(['room-3']);
    const named = buildSnapshot(fromLog(log), { socketRooms: false });
    expect(named.rooms.map((r) => r.name).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `room-${i}`));
    expect(named.totals.rooms).toBe(1009);
    expect(buildSnapshot(fromLog(log)).matched).toBeUndefined();
  });

  it('overlays the live objects: socket and connection machine states, engine heartbeat times', () => {
    const log = new EventLog();
    populate(log, 2);
    const io = {
      log,
      nsps: new Map([['/', { state: 'active', connected: { s0: { state: 'disconnecting' } } }]]),
      engine: { clients: { s1: { state: 'closing', lastPingAt: 42, lastPongAt: 43 } } },
    };
    const snapshot = inspectSnapshotSchema.parse(buildSnapshot(io));
    expect(snapshot.sockets.find((s) => s.id === 's0')!.state).toBe('disconnecting');
    expect(snapshot.connections.find((c) => c.sid === 's1')).toMatchObject({ state: 'closing', lastPingAt: 42, lastPongAt: 43 });
    expect(snapshot.connections.find((c) => c.sid === 's0')!.state).toBe('websocket');
  });

  it("uses the machines' own state names", () => {
    const leaves = (states: Record<string, { states?: Record<string, unknown> }>): string[] =>
      Object.entries(states).flatMap(([key, child]) => (child.states ? leaves(child.states as typeof states) : [key]));
    expect([...leaves(LIFECYCLE_MACHINES.connection!.config.states as never)].sort()).toEqual([...connectionStateSchema.options].sort());
    expect(Object.keys(LIFECYCLE_MACHINES.socket!.config.states!).sort()).toEqual([...socketStateSchema.options].sort());
  });

  it('stays fast with 10,000 sockets', () => {
    const log = new EventLog({ capacity: 1000 });
    populate(log, 10_000);
    buildSnapshot(fromLog(log));
    const runs = 5;
    const started = performance.now();
    let snapshot;
    for (let i = 0; i < runs; i++) snapshot = buildSnapshot(fromLog(log));
    const full = (performance.now() - started) / runs;
    const limitedStart = performance.now();
    for (let i = 0; i < runs; i++) buildSnapshot(fromLog(log), { limit: 200 });
    const limited = (performance.now() - limitedStart) / runs;
    const validateStart = performance.now();
    inspectSnapshotSchema.parse(snapshot);
    const validate = performance.now() - validateStart;
    console.log(
      `snapshot of 10,000 sockets: ${full.toFixed(1)} ms full, ${limited.toFixed(1)} ms with limit 200, schema check ${validate.toFixed(1)} ms, JSON ${(JSON.stringify(snapshot).length / 1e6).toFixed(2)} MB`,
    );
    expect(snapshot!.totals.sockets).toBe(10_000);
    // Generous bound: this guards against an accidental quadratic walk, not a timing target.
    expect(full).toBeLessThan(2000);
  });
});
