/**
 * Connection state recovery on one node with the real socket.io-client 4.x:
 * the transport is cut while broadcasts to the client's rooms go on, the
 * client reconnects by itself, and gets its id, rooms, data and every packet
 * it missed, once each and in order. Each failure mode is recorded with its
 * reason.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Socket as V4Socket } from 'socket.io-client';
import ioV2 from 'socket.io-client-v2';
import { replay } from '../../src/log/replay';
import { buildLanes } from '../../src/inspect/lanes';
import { countersOf } from '../../src/log/projections';
import { createMetricsRegistry } from '../../src/inspect/metrics';
import { renderConnectionCard } from '../../src/inspect/lanes-svg';
import { client, cutTransport, once, startServer, until, type RecoveryServer } from './one-node-harness';

let server: RecoveryServer | undefined;
const clients: Array<{ close(): unknown }> = [];
const timers: NodeJS.Timeout[] = [];

afterEach(async () => {
  for (const timer of timers.splice(0)) clearInterval(timer);
  for (const socket of clients.splice(0)) socket.close();
  await server?.close();
  server = undefined;
});

/** Every failed recovery is explained by replay, on a socket's story, with its reason. */
function expectExplained(srv: RecoveryServer, reason: string): void {
  const explanations = replay(srv.io.log.events()).sockets.map((s) => s.explanation ?? '');
  expect(explanations.some((text) => text.includes('not recovered at') && text.includes(`: ${reason}`))).toBe(true);
}

function track<T extends { close(): unknown }>(socket: T): T {
  clients.push(socket);
  return socket;
}

/** Broadcasts `tick` 0..count-1 to room `room`, one every `every` ms; resolves after the last. */
function broadcastTicks(srv: RecoveryServer, room: string, count: number, every = 4): Promise<void> {
  return new Promise((resolve) => {
    let next = 0;
    const timer = setInterval(() => {
      srv.io.to(room).emit('tick', next++);
      if (next === count) {
        clearInterval(timer);
        resolve();
      }
    }, every);
    timers.push(timer);
  });
}

describe('connection state recovery on one node (socket.io-client 4.x)', () => {
  it('gives back id, rooms, data and the missed packets, once each and in order', async () => {
    server = await startServer({ connectionStateRecovery: { maxDisconnectionDuration: 10_000 } });
    const serverSockets: Array<{ id: string; recovered: boolean; data: Record<string, unknown>; rooms: Record<string, string> }> = [];
    server.io.on('connection', (socket) => {
      serverSockets.push(socket);
      if (!socket.recovered) {
        socket.join('feed');
        socket.data.user = 'ada';
      }
    });
    const socket = track(client(server.port));
    const ticks: number[] = [];
    const offsets: unknown[] = [];
    socket.on('tick', (n: number, offset: unknown) => {
      ticks.push(n);
      offsets.push(offset);
    });
    await once(socket, 'connect');
    const firstId = socket.id;
    const done = broadcastTicks(server, 'feed', 300);
    await until(() => ticks.length >= 40, 'the first ticks');
    cutTransport(socket);
    await once(socket, 'connect');
    await done;
    await until(() => ticks.includes(299), 'the last tick');
    expect(ticks).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(new Set(offsets).size).toBe(300); // each packet carries its own offset, as socket.io 4
    expect(socket.recovered).toBe(true);
    expect(socket.id).toBe(firstId);
    const [first, second] = serverSockets;
    expect(second.recovered).toBe(true);
    expect(second.id).toBe(first.id);
    expect(second.data).toEqual({ user: 'ada' });
    expect(Object.keys(second.rooms).sort()).toEqual(['feed', first.id].sort());
    const [recovery] = server.recoveries();
    expect(recovery).toMatchObject({ recovered: true, socketId: first.id, nsp: '/' });
    expect(recovery.packets).toBeGreaterThan(0);
    expect(recovery.awayMs).toBeGreaterThan(0);
    // The timeline draws one life with a gap: two connected segments on one lane, a recovered marker between.
    const lanes = buildLanes(server.io.log.events()).flatMap((lane) => lane.sockets.filter((s) => s.id === first.id));
    expect(lanes).toHaveLength(1);
    const [before, after] = lanes[0].segments;
    expect(lanes[0].segments).toHaveLength(2);
    expect(before.to).toBeLessThanOrEqual(after.from);
    expect(lanes[0].markers.map((m) => m.kind)).toEqual(expect.arrayContaining(['close', 'recovered']));
    expect(lanes[0].ending).toBeUndefined();
    // Its card's axis runs to its end: both stretches are inside the picture (960 wide), apart.
    const card = buildLanes(server.io.log.events()).find((lane) => lane.sockets.some((s) => s.id === first.id))!;
    const socketRects = [...renderConnectionCard(card).matchAll(/<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="10"/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    expect(socketRects).toHaveLength(2);
    expect(socketRects[0][0] + socketRects[0][1]).toBeLessThan(socketRects[1][0]);
    expect(socketRects[1][0] + socketRects[1][1]).toBeLessThanOrEqual(960);
    // io.inspect() says it too, and what the namespace's store holds.
    const snapshot = server.io.inspect();
    expect(snapshot.sockets.find((s) => s.id === first.id)?.recovery).toMatch(/^recovered at /);
    expect(snapshot.namespaces.find((n) => n.name === '/')?.recovery).toEqual({ packets: 300, bytes: expect.any(Number), away: 0 });
    // Replay tells one socket's story: connected, away, recovered with what was replayed.
    const report = replay(server.io.log.events()).sockets.filter((s) => s.id === first.id);
    expect(report).toHaveLength(1);
    expect(report[0].state).toBe('connected');
    expect(report[0].explanation).toMatch(new RegExp(`^recovered at .* after .* away, ${recovery.packets} missed packet\\(s\\) replayed$`));
    expect(report[0].timeline.map((entry) => entry.text)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^socket .* disconnected from \/: transport close/),
        expect.stringMatching(/^socket .* recovered on \/: \d+ missed packet/),
      ]),
    );
  });

  it('replays what was emitted to the socket itself while it was away', async () => {
    server = await startServer({ connectionStateRecovery: {} });
    const sockets: Array<{ emit(event: string, ...args: unknown[]): unknown; id: string }> = [];
    server.io.on('connection', (socket) => sockets.push(socket));
    const socket = track(client(server.port, '/', 400));
    const got: string[] = [];
    socket.on('note', (text: string) => got.push(text));
    const files: unknown[] = [];
    socket.on('file', (bytes: unknown) => files.push(bytes));
    await once(socket, 'connect');
    sockets[0].emit('note', 'before');
    await until(() => got.length === 1, 'the first note');
    const left = once(server.io.sockets.connected[sockets[0].id]!, 'disconnect');
    cutTransport(socket);
    await left;
    const away = server.io.of('/');
    // While it is away, its room (its own id) still names it: what is sent there waits for it.
    away.to(sockets[0].id).emit('note', 'while away 1');
    away.to(sockets[0].id).emit('note', 'while away 2');
    away.to(sockets[0].id).emit('file', Buffer.from([1, 2, 3]));
    await once(socket, 'connect');
    await until(() => got.length === 3 && files.length === 1, 'the missed notes');
    expect(got).toEqual(['before', 'while away 1', 'while away 2']);
    // Binary stays binary when replayed.
    expect(Buffer.from(files[0] as ArrayBuffer)).toEqual(Buffer.from([1, 2, 3]));
    expect(server.recoveries()[0]).toMatchObject({ recovered: true, packets: 3 });
  });

  it('records "window expired" with by how much, and gives a new socket', async () => {
    server = await startServer({ connectionStateRecovery: { maxDisconnectionDuration: 200 } });
    const socket = track(client(server.port, '/', 600));
    await once(socket, 'connect');
    server.io.emit('hello', 1); // gives the client an offset
    await once(socket, 'hello');
    const firstId = socket.id;
    cutTransport(socket);
    await once(socket, 'connect');
    expect(socket.recovered).toBe(false);
    expect(socket.id).not.toBe(firstId);
    const [record] = server.recoveries();
    expect(record).toMatchObject({ recovered: false, reason: 'window expired', socketId: firstId });
    expect(record.expiredByMs).toBeGreaterThan(0);
    const sockets = replay(server.io.log.events()).sockets;
    const earlier = sockets.find((s) => s.id === firstId)!;
    expect(earlier.explanation).toMatch(
      /^transport close: .*; not recovered at .* \(a new socket instead\): window expired by \d+ ms: away longer than maxDisconnectionDuration 200 ms$/,
    );
    const replacement = sockets.find((s) => s.id === socket.id)!;
    expect(replacement.explanation).toContain(`(a new socket instead of ${firstId}): window expired by`);
  });

  it('records "buffer bound reached" when packets it missed left the store', async () => {
    server = await startServer({ connectionStateRecovery: { maxPackets: 5 } });
    const joined: string[] = [];
    server.io.on('connection', (socket) => {
      socket.join('feed');
      joined.push(socket.id);
    });
    const socket = track(client(server.port, '/', 500));
    await once(socket, 'connect');
    server.io.to('feed').emit('tick', -1);
    await once(socket, 'tick');
    const left = once(server.io.sockets.connected[joined[0]]!, 'disconnect');
    cutTransport(socket);
    await left;
    for (let i = 0; i < 20; i++) server.io.to('feed').emit('tick', i);
    await once(socket, 'connect');
    expect(socket.recovered).toBe(false);
    expect(server.recoveries()[0]).toMatchObject({ recovered: false, reason: 'buffer bound reached', detail: expect.stringContaining('maxPackets 5') });
    // Counted for /metrics (iostate_recoveries_total{outcome}).
    expect([...countersOf(server.io.log.projections.counters, server.io.log.node).recoveries]).toEqual([['buffer bound reached', 1]]);
    expect(await createMetricsRegistry(server.io).metrics()).toContain('iostate_recoveries_total{outcome="buffer bound reached"} 1');
    expectExplained(server, 'buffer bound reached');
  });

  it('runs the middlewares when skipMiddlewares is false, and records a refusal', async () => {
    server = await startServer({ connectionStateRecovery: { skipMiddlewares: false } });
    let calls = 0;
    server.io.use((_socket, next) => {
      calls++;
      next(calls > 1 ? new Error('token expired') : undefined);
    });
    const socket = track(client(server.port, '/', 100));
    await once(socket, 'connect');
    server.io.emit('hello', 1);
    await once(socket, 'hello');
    cutTransport(socket);
    const error = await once<Error>(socket, 'connect_error');
    expect(error.message).toBe('token expired');
    expect(server.recoveries()[0]).toMatchObject({ recovered: false, reason: 'refused by a middleware', detail: expect.stringContaining('token expired') });
    expectExplained(server, 'refused by a middleware');
  });

  it('skips the middlewares of a recovered socket by default', async () => {
    server = await startServer({ connectionStateRecovery: {} });
    let calls = 0;
    server.io.use((_socket, next) => {
      calls++;
      next();
    });
    const socket = track(client(server.port));
    await once(socket, 'connect');
    server.io.emit('hello', 1);
    await once(socket, 'hello');
    cutTransport(socket);
    await once(socket, 'connect');
    expect(socket.recovered).toBe(true);
    expect(calls).toBe(1);
  });

  it('records "session ended" for a socket that left by its own disconnect', async () => {
    server = await startServer({ connectionStateRecovery: {} });
    const socket = track(client(server.port));
    await once(socket, 'connect');
    server.io.emit('hello', 1);
    await once(socket, 'hello');
    const id = socket.id;
    socket.disconnect();
    socket.connect();
    await once(socket, 'connect');
    expect(socket.recovered).toBe(false);
    expect(server.recoveries()[0]).toMatchObject({ recovered: false, reason: 'session ended', socketId: id });
    expectExplained(server, 'session ended');
  });

  it('records "another namespace" for a pid of another namespace', async () => {
    server = await startServer({ connectionStateRecovery: {} });
    server.io.of('/other');
    const socket = track(client(server.port));
    await once(socket, 'connect');
    const pid = (socket as unknown as { _pid: string })._pid;
    const other = track(client(server.port, '/other'));
    (other as V4Socket & { auth: Record<string, unknown> }).auth = { pid };
    other.disconnect().connect();
    await once(other, 'connect');
    expect(server.recoveries().at(-1)).toMatchObject({ recovered: false, reason: 'another namespace', nsp: '/other' });
    expectExplained(server, 'another namespace');
  });

  it('records "unknown session" for a pid it never gave', async () => {
    server = await startServer({ connectionStateRecovery: {} });
    const socket = track(client(server.port));
    (socket as V4Socket & { auth: Record<string, unknown> }).auth = { pid: 'made-up', offset: 'x' };
    await once(socket, 'connect');
    expect(server.recoveries()[0]).toMatchObject({ recovered: false, reason: 'unknown session' });
    expectExplained(server, 'unknown session');
  });

  it('sends 2.x clients of the same broadcast no offset (their protocol cannot recover)', async () => {
    server = await startServer({ connectionStateRecovery: {} });
    const v4 = track(client(server.port));
    const v2 = track(ioV2(`http://127.0.0.1:${server.port}`, { transports: ['websocket'], forceNew: true }));
    await Promise.all([once(v4, 'connect'), once(v2, 'connect')]);
    const fromV4 = new Promise<unknown[]>((resolve) => v4.once('msg', (...args: unknown[]) => resolve(args)));
    const fromV2 = new Promise<unknown[]>((resolve) => v2.once('msg', (...args: unknown[]) => resolve(args)));
    server.io.emit('msg', 'a', 2);
    const [four, two] = await Promise.all([fromV4, fromV2]);
    expect(four.slice(0, 2)).toEqual(['a', 2]);
    expect(typeof four[2]).toBe('string');
    expect(two).toEqual(['a', 2]);
  });
});
