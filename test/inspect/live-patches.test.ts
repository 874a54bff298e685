/**
 * The live model's patches, in process: after any sequence of connects,
 * joins, leaves, upgrades, disconnects and closes (flushed at random
 * points, as the 250 ms ticks do), the first model with every patch applied
 * is the model built afresh from the log, also for names the log cuts and
 * records it holds back. Applied twice: with immer's own
 * applyPatches, and with the function the page embeds.
 */
import fc from 'fast-check';
import { applyPatches, enablePatches, type Patch } from 'immer';
import { describe, expect, it } from 'vitest';
import { EventLog } from '../../src/log/event-log';
import type { LogEvent, LogEventInput } from '../../src/log/events';
import { LiveModelFollower, buildLiveModel } from '../../src/inspect/live-model';
import { applyModelPatches } from '../../src/inspect/page-patches';
import { connOpen, recordIdleSocket } from './fixture';

enablePatches();

// Names a client could choose, hostile ones included: they end up in keys and paths.
// Two past 16,383 characters, of one length: the model keys them by digest.
const LONG = 'r'.repeat(16_400);
const roomName = fc.oneof(
  fc.constantFrom('lobby', 'team', '__proto__', 'constructor', '0', '<img src=x onerror=alert(1)>', '\u202e', `${LONG}a`, `${LONG}b`),
  fc.string({ maxLength: 4 }),
);
// A namespace name near the bound: a socket's key in the model is long, and taken by its digest.
const nspName = fc.constantFrom('/', '/chat', '/__proto__', `/${'n'.repeat(16_370)}`);

type Step =
  | { kind: 'connect'; conn: number; nsp: string; label?: string }
  | { kind: 'join' | 'leave'; conn: number; nsp: string; room: string }
  | { kind: 'disconnect' | 'close' | 'upgrade' | 'heartbeat' | 'flush'; conn: number; nsp: string };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('connect' as const), conn: fc.nat(5), nsp: nspName, label: fc.option(fc.string({ maxLength: 3 }), { nil: undefined }) }),
  fc.record({ kind: fc.constantFrom('join' as const, 'leave' as const), conn: fc.nat(5), nsp: nspName, room: roomName }),
  fc.record({
    kind: fc.constantFrom('disconnect' as const, 'close' as const, 'upgrade' as const, 'heartbeat' as const, 'flush' as const),
    conn: fc.nat(5),
    nsp: nspName,
  }),
);

interface State {
  open: Set<string>;
  sockets: Map<string, Set<string>>;
  closes: Map<number, number>;
}
const fresh = (): State => ({ open: new Set(), sockets: new Map(), closes: new Map() });

/** Records what a server would for `s`, keeping to what can happen (a join needs a connected socket). */
function play(log: EventLog, s: Step, state: State): void {
  // A closed session's sid is never used again: a reconnect is a new session.
  const sid = `sid-${s.conn}-${state.closes.get(s.conn) ?? 0}`;
  const socketId = `${s.nsp}#${sid}`;
  const key = `${s.nsp} ${socketId}`;
  const rooms = state.sockets.get(key);
  switch (s.kind) {
    case 'connect':
      if (!state.open.has(sid)) {
        log.record(connOpen(sid));
        state.open.add(sid);
      }
      if (rooms) return;
      log.record({ type: 'socket.connect', sid, socketId, nsp: s.nsp, protocol: 5, ...(s.label !== undefined && { label: s.label }) });
      log.record({ type: 'room.join', socketId, nsp: s.nsp, room: socketId });
      state.sockets.set(key, new Set([socketId]));
      return;
    case 'join':
    case 'leave':
      if (!rooms || (s.kind === 'join') === rooms.has(s.room)) return;
      log.record({ type: `room.${s.kind}`, socketId, nsp: s.nsp, room: s.room });
      if (s.kind === 'join') rooms.add(s.room);
      else rooms.delete(s.room);
      return;
    case 'disconnect':
      if (!rooms) return;
      log.record({ type: 'socket.disconnect', socketId, nsp: s.nsp, reason: 'client namespace disconnect', initiator: 'client', sid, rooms: [...rooms] });
      state.sockets.delete(key);
      return;
    case 'close':
      if (!state.open.has(sid)) return;
      for (const [other, held] of state.sockets) {
        const [nsp, id] = [other.slice(0, other.indexOf(' ')), other.slice(other.indexOf(' ') + 1)];
        if (!id.endsWith(`#${sid}`)) continue;
        log.record({ type: 'socket.disconnect', socketId: id, nsp, reason: 'transport close', initiator: 'client', sid, rooms: [...held] });
        state.sockets.delete(other);
      }
      log.record({ type: 'conn.close', sid, reason: 'transport close', initiator: 'client', transport: 'polling' });
      state.open.delete(sid);
      state.closes.set(s.conn, (state.closes.get(s.conn) ?? 0) + 1);
      return;
    case 'upgrade':
      if (state.open.has(sid)) log.record({ type: 'conn.upgrade', sid, step: 'upgraded', to: 'websocket' });
      return;
    case 'heartbeat':
      if (state.open.has(sid)) log.record({ type: 'conn.heartbeat', sid, step: 'ping-sent' });
      return;
    case 'flush':
      return;
  }
}

const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value));

describe('live model patches', () => {
  it('applied to the first model, give the model built afresh, after any sequence of changes', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.array(step, { maxLength: 10 }), fc.boolean(), (before, steps, tightShare) => {
        // A tight share holds a connection's later records back from the log: the projections still fold them, and the model shows them.
        const log = new EventLog({ node: 'n1', ...(tightShare && { perConnection: { records: 3, windowMs: 60_000 } }) });
        const io = { log, nsps: new Map() };
        const state = fresh();
        for (const s of before) play(log, s, state);
        const follower = new LiveModelFollower(io);
        const first = wire(follower.current());
        expect(first).toEqual(wire(buildLiveModel(io)));
        const sent: Patch[][] = [];
        for (const s of [...steps, ...before]) {
          play(log, s, state);
          if (s.kind === 'flush') sent.push(wire(follower.flush().patches));
        }
        const last = follower.flush();
        sent.push(wire(last.patches));
        const rebuilt = wire(buildLiveModel(io));
        const inPage = wire(first) as unknown as Record<string, unknown>;
        for (const patches of sent) applyModelPatches(inPage, patches);
        // Heartbeats alone send no message: the page takes the position from each message it gets.
        inPage.position = last.position;
        expect(inPage).toEqual(rebuilt);
        expect({ ...wire(applyPatches(first, sent.flat())), position: last.position }).toEqual(rebuilt);
        // The follower's own model is that model too; and nothing left to send.
        expect(wire(follower.current())).toEqual(rebuilt);
        expect(follower.flush().patches).toEqual([]);
        follower.stop();
      }),
      { numRuns: 300 },
    );
  });

  it('sends nothing for heartbeats, and patches only the entries that changed', () => {
    const log = new EventLog({ node: 'n1' });
    const io = { log, nsps: new Map() };
    const state = fresh();
    for (let conn = 0; conn < 5; conn++) play(log, { kind: 'connect', conn, nsp: '/' }, state);
    const follower = new LiveModelFollower(io);
    follower.current();
    play(log, { kind: 'heartbeat', conn: 1, nsp: '/' }, state);
    expect(follower.flush().patches).toEqual([]);
    play(log, { kind: 'join', conn: 2, nsp: '/', room: 'lobby' }, state);
    const { patches } = follower.flush();
    const paths = patches.map((patch) => `${patch.op} ${patch.path.join(' ')}`);
    expect(paths).toContain(`replace sockets ["/","/#sid-2-0"]`);
    expect(paths).toContain(`add rooms ["/","lobby"]`);
    expect(paths.filter((path) => path.startsWith('replace sockets') || path.startsWith('add sockets'))).toHaveLength(1);
    expect(paths.some((path) => path.includes('sid-1') || path.includes('sid-3'))).toBe(false);
    follower.stop();
  });

  it('compares every entry after an event that may touch anything: a node that went down takes its sockets away', () => {
    const log = new EventLog({ node: 'a' });
    const io = { log, nsps: new Map() };
    for (let i = 0; i < 3; i++) recordIdleSocket(log, i, 'lobby');
    // Node b's connections, as its events arrive from the cluster.
    let seq = 0;
    const fromB = (input: LogEventInput) => log.ingest({ ...input, seq: ++seq, ts: Date.now(), node: 'b' } as LogEvent);
    for (const sid of ['b-0', 'b-1']) {
      fromB({
        type: 'conn.open',
        sid,
        protocol: 4,
        transport: 'websocket',
        remoteAddress: '10.0.0.2',
        pingInterval: 25000,
        pingTimeout: 20000,
        upgradeTimeout: 10000,
        maxPayload: 1e6,
        upgrades: [],
      });
      fromB({ type: 'socket.connect', sid, socketId: sid, nsp: '/', protocol: 5 });
      fromB({ type: 'room.join', socketId: sid, nsp: '/', room: 'lobby' });
    }
    const follower = new LiveModelFollower(io);
    const first = wire(follower.current());
    expect(first.totals.sockets).toBe(5);

    log.record({ type: 'node.down', down: 'b' });
    const { patches, position } = follower.flush();
    const inPage = wire(first) as unknown as Record<string, unknown>;
    applyModelPatches(inPage, wire(patches));
    inPage.position = position;
    const rebuilt = wire(buildLiveModel(io));
    expect(inPage).toEqual(rebuilt);
    expect(rebuilt.totals).toMatchObject({ sockets: 3, connections: 3 });
    expect(Object.values(rebuilt.rooms).find((room) => room.name === 'lobby')?.members).toBe(3);
    follower.stop();
  });

  it('refuses a patch that would write through __proto__ in the page', () => {
    const model: Record<string, unknown> = { sockets: {} };
    expect(() => applyModelPatches(model, [{ op: 'add', path: ['__proto__', 'polluted'], value: true }])).toThrow(/refused/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
