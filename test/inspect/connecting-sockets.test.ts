/**
 * Sockets still running their namespace's middlewares: the snapshot lists
 * them as `connecting` (read live, since the log only learns of a socket
 * once it connects), then as connected, or not at all once refused, timed
 * out or dropped. Real server, real 4.x and 2.x clients.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { io as connectV4, type Socket as ClientV4 } from 'socket.io-client';
import connectV2 from 'socket.io-client-v2';
import { buildSnapshot, inspectSnapshotSchema, type InspectSnapshot } from '../../src/inspect/snapshot';
import type { NamespaceMiddleware } from '../../src/actors/namespace';
import type { Socket } from '../../src/actors/socket';
import { startLive, until, type Live } from './live';

const allow = () => true;

interface ClientV2 {
  io: { engine: { id: string } };
  on(event: string, fn: (...args: any[]) => void): unknown;
  close(): void;
}

/** Clients that are never awaited to connect: closed after each test. */
const clients: { close(): void }[] = [];

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

function clientV4(live: Live, nsp: string): ClientV4 {
  const client = connectV4(`${live.url}${nsp}`, { forceNew: true, reconnection: false });
  clients.push(client);
  return client;
}

function clientV2(live: Live, nsp: string): ClientV2 {
  const client = connectV2(`${live.url}${nsp}`, { forceNew: true, reconnection: false }) as ClientV2;
  clients.push(client);
  return client;
}

/** A middleware that holds every socket until the test answers it. */
function holding() {
  const held: { socket: Socket; next: Parameters<NamespaceMiddleware>[1] }[] = [];
  const middleware: NamespaceMiddleware = (socket, next) => void held.push({ socket, next });
  return { held, middleware };
}

function snapshot(live: Live, options?: Parameters<typeof buildSnapshot>[1]): InspectSnapshot {
  return inspectSnapshotSchema.parse(buildSnapshot(live.io, options));
}

const connectingIds = (s: InspectSnapshot) => s.sockets.filter((socket) => socket.state === 'connecting').map((socket) => socket.id);

describe('sockets in middleware in the snapshot', () => {
  it('lists a 4.x socket held by a middleware as connecting, then once as connected when it calls next()', async () => {
    const live = await startLive({ auth: allow });
    const { held, middleware } = holding();
    live.io.of('/auth').use(middleware);
    const before = Date.now();
    const client = clientV4(live, '/auth');
    await until(() => held.length === 1, 'the middleware to run');
    const sid = client.io.engine.id;
    const socketId = held[0].socket.id; // 4.x: random, not derived from the sid

    const waiting = snapshot(live);
    expect(waiting.sockets).toEqual([
      {
        id: socketId,
        nsp: '/auth',
        state: 'connecting',
        rooms: [],
        transport: expect.stringMatching(/^(polling|websocket)$/),
        connection: sid,
        protocol: 5,
        since: expect.any(Number),
        node: live.io.log.node,
      },
    ]);
    expect(waiting.sockets[0].since).toBeGreaterThanOrEqual(before);
    expect(waiting.sockets[0].since).toBeLessThanOrEqual(waiting.takenAt);
    expect(waiting.totals).toMatchObject({ sockets: 0, connecting: 1, connections: 1 });
    expect(waiting.namespaces.find((n) => n.name === '/auth')).toMatchObject({ sockets: 0, connecting: 1 });
    expect(waiting.connections.find((c) => c.sid === sid)!.sockets).toBe(0);

    const connected = new Promise<void>((resolve) => client.once('connect', () => resolve()));
    held[0].next();
    await connected;
    const after = snapshot(live);
    expect(after.sockets.filter((s) => s.id === socketId)).toEqual([expect.objectContaining({ state: 'connected', rooms: [socketId], connection: sid })]);
    expect(after.totals).toMatchObject({ sockets: 1, connecting: 0 });
    expect(after.namespaces.find((n) => n.name === '/auth')).toMatchObject({ sockets: 1, connecting: 0 });
  });

  it('lists the 2.x socket of `/` (joined at once) while held, and drops it when the middleware refuses', async () => {
    const live = await startLive({ auth: allow });
    const { held, middleware } = holding();
    live.io.use(middleware);
    const client = clientV2(live, '/');
    const refused = new Promise<string>((resolve) => client.on('error', resolve));
    await until(() => held.length === 1, 'the middleware to run');
    const sid = held[0].socket.client.id;

    expect(snapshot(live).sockets).toEqual([expect.objectContaining({ id: sid, nsp: '/', state: 'connecting', connection: sid, protocol: 4, rooms: [] })]);

    held[0].next(new Error('not authorized'));
    expect(await refused).toBe('not authorized');
    const after = snapshot(live);
    expect(after.sockets).toEqual([]);
    expect(after.totals).toMatchObject({ sockets: 0, connecting: 0, connections: 1 });
    expect(live.io.openClients.get(sid)!.nsps).toEqual({});
  });

  it('drops a socket whose client leaves while the middleware runs, 4.x and 2.x alike', async () => {
    const live = await startLive({ auth: allow });
    const { held, middleware } = holding();
    live.io.of('/auth').use(middleware);
    const v4 = clientV4(live, '/auth');
    const v2 = clientV2(live, '/auth');
    await until(() => held.length === 2, 'the middlewares to run');
    expect(snapshot(live).totals.connecting).toBe(2);

    v4.close();
    v2.close();
    await until(() => live.io.openClients.size === 0, 'both connections to close');
    const after = snapshot(live);
    expect(after.sockets).toEqual([]);
    expect(after.totals).toMatchObject({ sockets: 0, connecting: 0 });
    // A middleware that answers after the connection closed connects nothing.
    for (const { next } of held) next();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(snapshot(live).sockets).toEqual([]);
    expect(live.io.of('/auth').connected).toEqual({});
  });

  it('drops a socket refused by connectTimeout while the connection stays open', async () => {
    const live = await startLive({ auth: allow }, { connectTimeout: 200 });
    const { held, middleware } = holding();
    live.io.of('/auth').use(middleware);
    const client = clientV4(live, '/auth');
    const refused = new Promise<Error>((resolve) => client.once('connect_error', resolve));
    await until(() => held.length === 1, 'the middleware to run');
    expect(connectingIds(snapshot(live))).toEqual([held[0].socket.id]);

    expect((await refused).message).toBe('connect timeout');
    const after = snapshot(live);
    expect(after.sockets).toEqual([]);
    expect(after.totals).toMatchObject({ connecting: 0, connections: 1 });
  });

  it('applies match and limit to connecting sockets, listed before the connected ones', async () => {
    const live = await startLive({ auth: allow });
    const { held, middleware } = holding();
    live.io.of('/auth').use(middleware);
    await live.clientV4();
    await live.clientV2();
    const waiting = [clientV4(live, '/auth'), clientV4(live, '/auth'), clientV4(live, '/auth')];
    await until(() => held.length === 3, 'the middlewares to run');

    const all = snapshot(live);
    expect(all.totals).toMatchObject({ sockets: 2, connecting: 3 });
    expect(all.sockets.map((s) => s.state)).toEqual(['connecting', 'connecting', 'connecting', 'connected', 'connected']);

    const cut = snapshot(live, { limit: 2 });
    expect(cut.truncated).toBe(true);
    expect(cut.sockets.map((s) => s.state)).toEqual(['connecting', 'connecting']);
    expect(cut.totals).toMatchObject({ sockets: 2, connecting: 3 });

    // By connection sid and by socket id, any case.
    const sid = waiting[1].io.engine.id;
    const socketId = held.find((h) => h.socket.client.id === sid)!.socket.id;
    const bySid = snapshot(live, { match: sid.toLowerCase() });
    expect(bySid.sockets.map((s) => s.id)).toEqual([socketId]);
    expect(bySid.matched!.sockets).toBe(1);
    const bySocketId = snapshot(live, { match: socketId.toUpperCase() });
    expect(bySocketId.sockets.map((s) => s.connection)).toEqual([sid]);
    const none = snapshot(live, { match: 'no such socket' });
    expect(none.sockets).toEqual([]);
    expect(none.totals).toMatchObject({ sockets: 2, connecting: 3 });

    // The endpoint serves the same, as JSON.
    const res = await fetch(`${live.url}/iostate/snapshot?q=${encodeURIComponent(sid)}`);
    const served = inspectSnapshotSchema.parse(await res.json());
    expect(served.sockets).toEqual([expect.objectContaining({ id: socketId, state: 'connecting', connection: sid })]);
  });
});
