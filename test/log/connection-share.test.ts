import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_RETAIN_CLOSED, EventLog } from '../../src/log/event-log';
import type { LogEvent, LogEventInput } from '../../src/log/events';
import { MemorySink } from '../../src/log/memory-sink';
import { replay } from '../../src/log/replay';
import { emptyProjections, foldAll, projectionSnapshot, type SessionRecord, socketKey } from '../../src/log/projections';

const open = (sid: string, transport: 'polling' | 'websocket' = 'websocket'): LogEventInput => ({
  type: 'conn.open',
  sid,
  protocol: 4,
  transport,
  remoteAddress: '127.0.0.1',
  pingInterval: 25000,
  pingTimeout: 20000,
  upgradeTimeout: 10000,
  maxPayload: 1e6,
  upgrades: [],
});
const connect = (sid: string, nsp: string, socketId = `${sid}-${nsp}`): LogEventInput[] => [
  { type: 'socket.connect', sid, socketId, nsp, protocol: 5 },
  { type: 'room.join', socketId, nsp, room: socketId },
];
const disconnect = (sid: string, nsp: string, socketId = `${sid}-${nsp}`): LogEventInput => ({
  type: 'socket.disconnect',
  sid,
  socketId,
  nsp,
  reason: 'transport close',
  initiator: 'client',
});
const close = (sid: string): LogEventInput => ({ type: 'conn.close', sid, reason: 'transport close', initiator: 'client', transport: 'websocket' });

function logWith(records: number, windowMs = 60_000) {
  const sink = new MemorySink(10_000);
  const log = new EventLog({ node: 'n', capacity: 10_000, perConnection: { records, windowMs }, sinks: [sink] });
  const seen: LogEvent[] = [];
  log.subscribe((event) => seen.push(event));
  return { log, sink, seen };
}

describe("one connection's share of the log", () => {
  it('holds back what a connection records past its share, in ring, subscribers and sinks, while the projections stay exact', () => {
    const { log, sink, seen } = logWith(10);
    log.record(open('bystander'));
    log.record(connect('bystander', '/')[0]!);
    log.record(open('flood'));
    for (let i = 0; i < 20; i++) for (const input of connect('flood', `/dyn-${i}`)) log.record(input);
    // Every socket is live, and routable, on the server.
    expect([...log.projections.rooms.socketIds('/dyn-19')]).toEqual(['flood-/dyn-19']);
    expect(log.projections.rooms.membersOf('/dyn-19', 'flood-/dyn-19')?.size).toBe(1);
    // Out of the process went its first 10 records: 5 sockets, with their rooms.
    const kept = log.events().filter((e) => 'sid' in e && e.sid === 'flood' && e.type === 'socket.connect');
    expect(kept.map((e) => (e as { nsp: string }).nsp)).toEqual(['/dyn-0', '/dyn-1', '/dyn-2', '/dyn-3', '/dyn-4']);
    expect(sink.events()).toEqual(log.events());
    expect(seen).toEqual(log.events());
    // The bystander's records are untouched.
    expect(log.events().filter((e) => 'sid' in e && e.sid === 'bystander')).toHaveLength(2);
  });

  it('keeps a socket whole: a held-back socket leaves no record, a kept one always its disconnect; one summary at close', () => {
    const { log } = logWith(4);
    log.record(open('s'));
    for (let i = 0; i < 4; i++) for (const input of connect('s', `/n${i}`)) log.record(input);
    for (let i = 0; i < 4; i++) log.record(disconnect('s', `/n${i}`));
    log.record(close('s'));
    const types = log.events().map((e) => `${e.type}${'nsp' in e ? ` ${e.nsp}` : ''}`);
    expect(types).toEqual([
      'conn.open',
      'socket.connect /n0',
      'room.join /n0',
      'socket.connect /n1',
      'room.join /n1',
      'socket.disconnect /n0',
      'socket.disconnect /n1',
      'log.suppressed',
      'conn.close',
    ]);
    expect(log.events().find((e) => e.type === 'log.suppressed')).toMatchObject({
      sid: 's',
      count: 6,
      types: { 'socket.connect': 2, 'room.join': 2, 'socket.disconnect': 2 },
    });
    // Replaying what was kept gives the live end state (bar the names of namespaces only held-back records mention).
    const withRooms = (rooms: Record<string, object>) => Object.fromEntries(Object.entries(rooms).filter(([, list]) => Object.keys(list).length > 0));
    expect(withRooms(projectionSnapshot(replay(log.events()).projections).rooms)).toEqual(withRooms(projectionSnapshot(log.projections).rooms));
  });

  it('starts a new share each window, after one summary of the window before', () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const { log } = logWith(3, 1000);
      log.record(open('s'));
      for (let i = 0; i < 5; i++) log.record({ type: 'socket.refused', sid: 's', nsp: `/r${i}`, message: 'no' });
      vi.setSystemTime(1500);
      log.record({ type: 'socket.refused', sid: 's', nsp: '/late', message: 'no' });
      expect(log.events().map((e) => (e.type === 'socket.refused' ? e.nsp : e.type))).toEqual(['conn.open', '/r0', '/r1', '/r2', 'log.suppressed', '/late']);
      expect(log.events()[4]).toMatchObject({ type: 'log.suppressed', sid: 's', count: 2, from: 0, to: 0, ts: 1500 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('counts what follows a close (its sockets leaving) in the same share, and summarises it once that window is over', () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const { log } = logWith(4, 1000);
      log.record(open('s'));
      for (const nsp of ['/a', '/b']) for (const input of connect('s', nsp)) log.record(input);
      log.record(close('s'));
      // As the server does: the connection closes, then its sockets leave their rooms and disconnect.
      log.record({ type: 'room.leave', socketId: 's-/a', nsp: '/a', room: 's-/a' });
      log.record(disconnect('s', '/a'));
      vi.setSystemTime(1000);
      log.record({ type: 'server.close' });
      expect(log.events().map((e) => e.type)).toEqual([
        'conn.open',
        'socket.connect',
        'room.join',
        'socket.connect',
        'room.join',
        'conn.close',
        'socket.disconnect',
        'log.suppressed',
        'server.close',
      ]);
      expect(log.events().at(-2)).toMatchObject({ sid: 's', count: 1, types: { 'room.leave': 1 } });
      // Forgotten: a record for that connection now starts a fresh share.
      log.record({ type: 'room.leave', socketId: 's-/b', nsp: '/b', room: 's-/b' });
      expect(log.events().at(-1)).toMatchObject({ type: 'room.leave', socketId: 's-/b' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives heartbeats a budget of their own, so a short pingInterval cannot crowd out the records replay needs', () => {
    const { log } = logWith(5);
    log.record(open('s'));
    for (let i = 0; i < 50; i++) log.record({ type: 'conn.heartbeat', sid: 's', step: i % 2 ? 'pong-received' : 'ping-sent' });
    for (const input of connect('s', '/')) log.record(input);
    expect(log.events().filter((e) => e.type === 'conn.heartbeat')).toHaveLength(5);
    expect(log.events().filter((e) => e.type === 'socket.connect' || e.type === 'room.join')).toHaveLength(2);
  });

  it('holds back the upgrade attempts past the share whole, and always keeps the upgrade, so the log tells the transport', () => {
    const { log } = logWith(3);
    log.record(open('s', 'polling'));
    for (let i = 0; i < 20; i++) {
      log.record({ type: 'conn.upgrade', sid: 's', step: 'probe', to: 'websocket' });
      log.record({ type: 'conn.upgrade', sid: 's', step: 'failed', to: 'websocket', reason: 'probe transport closed' });
    }
    log.record({ type: 'conn.upgrade', sid: 's', step: 'upgraded', to: 'websocket' });
    log.record(close('s'));
    const steps = log.events().flatMap((e) => (e.type === 'conn.upgrade' ? [e.step] : []));
    // Three probes within the share, each with its outcome; then only the upgrade.
    expect(steps).toEqual(['probe', 'failed', 'probe', 'failed', 'probe', 'failed', 'upgraded']);
    expect(log.events().find((e) => e.type === 'log.suppressed')).toMatchObject({ count: 34, types: { 'conn.upgrade': 34 } });
    expect(log.projections.sessions.session('s')).toMatchObject({ transports: ['polling', 'websocket'], upgrade: { step: 'upgraded' } });
  });

  it('always keeps a transport error: it ends its connection, and the session lists it', () => {
    const { log } = logWith(2);
    log.record(open('s'));
    for (let i = 0; i < 5; i++) log.record({ type: 'socket.refused', sid: 's', nsp: `/r${i}`, message: 'no' });
    log.record({ type: 'conn.error', sid: 's', transport: 'websocket', message: 'parse error: invalid payload' });
    expect(log.events().at(-1)).toMatchObject({ type: 'conn.error', message: 'parse error: invalid payload' });
  });

  it('can be turned off', () => {
    const log = new EventLog({ perConnection: false });
    log.record(open('s'));
    for (let i = 0; i < 500; i++) log.record({ type: 'socket.refused', sid: 's', nsp: `/r${i}`, message: 'no' });
    expect(log.events()).toHaveLength(501);
  });
});

describe('refusals past the share', () => {
  type Step =
    | { kind: 'open' | 'close'; sid: number }
    | { kind: 'refuse'; sid: number; nsp: string }
    | { kind: 'heartbeat'; sid: number; step: 'ping-sent' | 'pong-received' | 'ping-received' | 'pong-sent' }
    | { kind: 'upgrade'; sid: number; step: 'probe' | 'upgraded' | 'failed' }
    | { kind: 'error'; sid: number; message: string }
    | { kind: 'connect'; sid: number; nsp: string }
    | { kind: 'recover'; sid: number; nsp: string; of: number; recovered: boolean; then: 'connect' | 'refused' }
    | { kind: 'wait'; ms: number };
  const sid = fc.nat(1);
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('open' as const, 'close' as const), sid }) },
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('refuse' as const), sid, nsp: fc.string({ maxLength: 6 }) }) },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('heartbeat' as const),
        sid,
        step: fc.constantFrom('ping-sent' as const, 'pong-received' as const, 'ping-received' as const, 'pong-sent' as const),
      }),
    },
    // Upgrade attempts (a probe, then its outcome) and transport errors: a client can provoke many.
    {
      weight: 3,
      arbitrary: fc.record({ kind: fc.constant('upgrade' as const), sid, step: fc.constantFrom('probe' as const, 'failed' as const, 'upgraded' as const) }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('error' as const), sid, message: fc.string({ maxLength: 6 }) }) },
    // Sockets, and connection state recovery attempts about them (a client can send many on one connection).
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('connect' as const), sid, nsp: fc.constantFrom('/a', '/b') }) },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('recover' as const),
        sid,
        nsp: fc.constantFrom('/a', '/b'),
        of: fc.nat(),
        recovered: fc.boolean(),
        then: fc.constantFrom('connect' as const, 'refused' as const),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 1500 }) }) },
  );

  it('(and heartbeats past theirs, upgrade attempts, transport errors, recovery attempts) leave the live sessions projection equal to a replay of the log after every record, and are all counted', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 30, maxLength: 120 }), fc.integer({ min: 1, max: 6 }), (steps, records) => {
        vi.useFakeTimers({ now: 0 });
        try {
          const log = new EventLog({ node: 'n', capacity: 10_000, perConnection: { records, windowMs: 1000 } });
          const replayed = emptyProjections(DEFAULT_RETAIN_CLOSED);
          let folded = 0;
          const refused = new Map<string, number>();
          // What the server knows of each open session: whether an upgrade attempt is under way, and its transport.
          const server = new Map<string, { upgrading: boolean; transport: string }>();
          const socketIds: string[] = [];
          // Sockets with a life held back as a whole: a recovered socket is one record across its lives, and replay has only the kept ones (docs/log.md).
          const heldLives = new Set<string>();
          // A sid is the server's own and never used again: each opening of connection k gets a fresh one.
          const openings = new Map<number, number>();
          const sidOf = (k: number) => {
            const opened = openings.get(k) ?? 0;
            return opened > 1 ? `c${k}~${opened}` : `c${k}`;
          };
          const connect = (sid: string, socketId: string, nsp: string, recovered?: true) => {
            const before = log.events().at(-1);
            log.record({ type: 'socket.connect', sid, socketId, nsp, protocol: 5, ...(recovered && { recovered }) });
            // Kept only if this very connect is now the log's last record (the one before may be another socket's connect).
            const last = log.events().at(-1);
            if (last === before || last?.type !== 'socket.connect' || last.socketId !== socketId) heldLives.add(socketKey(nsp, socketId));
          };
          for (const s of steps) {
            if (s.kind === 'wait') vi.advanceTimersByTime(s.ms);
            else if (s.kind === 'refuse') {
              log.record({ type: 'socket.refused', sid: sidOf(s.sid), nsp: s.nsp, message: 'Invalid namespace' });
              refused.set(sidOf(s.sid), (refused.get(sidOf(s.sid)) ?? 0) + 1);
            } else if (s.kind === 'heartbeat' || s.kind === 'upgrade' || s.kind === 'error') {
              vi.advanceTimersByTime(1); // so that each of them has a time of its own
              if (s.kind === 'heartbeat') log.record({ type: 'conn.heartbeat', sid: sidOf(s.sid), step: s.step });
              else if (s.kind === 'upgrade') {
                log.record({ type: 'conn.upgrade', sid: sidOf(s.sid), step: s.step, to: 'websocket' });
                const known = server.get(sidOf(s.sid));
                if (known) known.upgrading = s.step === 'probe';
                if (known && s.step === 'upgraded') known.transport = 'websocket';
              } else log.record({ type: 'conn.error', sid: sidOf(s.sid), transport: 'polling', message: s.message });
            } else if ((s.kind === 'connect' || s.kind === 'recover') && !server.has(sidOf(s.sid))) {
              // Sockets come on open connections only.
            } else if (s.kind === 'open' && server.has(sidOf(s.sid))) {
              // Already open: nothing to open.
            } else if (s.kind === 'connect') {
              const socketId = `${sidOf(s.sid)}${s.nsp}#${socketIds.length}`;
              socketIds.push(socketId);
              connect(sidOf(s.sid), socketId, s.nsp);
            } else if (s.kind === 'recover') {
              vi.advanceTimersByTime(1);
              const earlier = socketIds.length === 0 ? undefined : socketIds[s.of % socketIds.length];
              // Recovered: the server gives the earlier socket back (here, one of this connection and namespace).
              const recovered = s.recovered && earlier !== undefined && earlier.startsWith(`${sidOf(s.sid)}${s.nsp}#`);
              const outcome = recovered ? { recovered: true, packets: 0, awayMs: 5 } : { recovered: false, reason: 'window expired' as const };
              log.record({ type: 'socket.recovery', sid: sidOf(s.sid), nsp: s.nsp, ...(earlier !== undefined && { socketId: earlier }), ...outcome });
              // Then, as the server does, the socket it gave (the earlier one back, or a new one), or a middleware's refusal.
              if (s.then === 'refused') {
                log.record({ type: 'socket.refused', sid: sidOf(s.sid), nsp: s.nsp, message: 'no' });
                refused.set(sidOf(s.sid), (refused.get(sidOf(s.sid)) ?? 0) + 1);
              } else if (recovered) {
                log.record({ type: 'socket.disconnect', sid: sidOf(s.sid), socketId: earlier, nsp: s.nsp, reason: 'transport close', initiator: 'client' });
                connect(sidOf(s.sid), earlier, s.nsp, true);
              } else {
                const socketId = `${sidOf(s.sid)}${s.nsp}#${socketIds.length}`;
                socketIds.push(socketId);
                connect(sidOf(s.sid), socketId, s.nsp);
              }
            } else if (s.kind === 'open') {
              openings.set(s.sid, (openings.get(s.sid) ?? 0) + 1);
              log.record(open(sidOf(s.sid), 'polling'));
              server.set(sidOf(s.sid), { upgrading: false, transport: 'polling' });
            } else {
              log.record(close(sidOf(s.sid)));
              server.delete(sidOf(s.sid));
            }
            for (const event of log.events({ since: folded })) foldAll(replayed, event);
            folded = log.lastPosition;
            // A socket held back as a whole (its connect past the share) is the live server's alone; one whose connect was kept reads the same.
            const kept = (session: SessionRecord) => ({
              ...session,
              sockets: new Set([...session.sockets].filter((key) => replayed.sessions.sockets.has(key))),
            });
            expect(Object.fromEntries(replayed.sessions.sessions)).toEqual(
              Object.fromEntries([...log.projections.sessions.sessions()].map((x) => [x.sid, kept(x)])),
            );
            for (const [key, socket] of replayed.sessions.sockets)
              if (!heldLives.has(key)) expect(log.projections.sessions.socket(socket.nsp, socket.socketId)).toEqual(socket);
            // And both tell the server's transport, and no upgrade under way once the last attempt is over.
            for (const [c, known] of server) {
              const session = log.projections.sessions.session(c)!;
              expect(session.transport, c).toBe(known.transport);
              if (!known.upgrading) expect(session.status, c).toBe('open');
            }
          }
          // Once summarised (a close, a later window), every refusal is in the log: listed, or counted by log.suppressed.
          vi.advanceTimersByTime(1000);
          for (const c of refused.keys()) log.record(close(c));
          const logged = (c: string) =>
            log
              .events()
              .reduce(
                (n, e) =>
                  n + (e.type === 'socket.refused' && e.sid === c ? 1 : e.type === 'log.suppressed' && e.sid === c ? (e.types['socket.refused'] ?? 0) : 0),
                0,
              );
          for (const [c, count] of refused) expect(logged(c), c).toBe(count);
        } finally {
          vi.useRealTimers();
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('bounded records', () => {
  it('routes by a long room name while the log keeps it cut', () => {
    const log = new EventLog();
    const room = 'r'.repeat(5000);
    log.record(connect('s', '/')[0]!);
    log.record({ type: 'room.join', socketId: 's-/', nsp: '/', room });
    expect(log.projections.rooms.membersOf('/', room)?.has('s-/')).toBe(true);
    const join = log.events().at(-1) as Extract<LogEvent, { type: 'room.join' }>;
    expect(join.room).toMatch(/^r{1024}…\[cut: 5000 chars, sha256 [0-9a-f]{12}\]$/);
  });
});
