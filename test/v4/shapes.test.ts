// socket.io 4's shapes on iostate/v4, compared with socket.io 4.8: what an
// app reads from the server, namespaces, sockets and adapters, the events
// of the lifecycle with their reasons, and refusals with err.data.
import { describe, expect, it } from 'vitest';
import ioV2 from 'socket.io-client-v2';
import { Socket as EngineClient } from 'engine.io-client';
import type { Socket } from '../../src/v4';
import { connected, delay, differential, next, type Side } from './harness';

/** Socket ids differ between runs: each becomes its role in the transcript. */
function naming(ids: Record<string, string>): (value: string) => string {
  return (value) => Object.entries(ids).find(([, id]) => id === value)?.[0] ?? value;
}

async function connectOne(side: Side, nsp = '/', options: Record<string, unknown> = {}) {
  const connection = next<[Socket]>(nsp === '/' ? side.io : side.io.of(nsp), 'connection');
  const client = side.client(nsp, options);
  const [socket] = await connection;
  await connected(client);
  return { socket, client };
}

describe('iostate/v4 shapes, compared with socket.io 4.8', () => {
  it('socket.rooms is a Set, sockets and _nsps are Maps, adapter.rooms and sids are Maps of Sets', async () => {
    const { ours, theirs } = await differential(async (side) => {
      const { socket, client } = await connectOne(side, '/', { auth: { token: 'abc' }, query: { room: 'lobby' } });
      const name = naming({ ID: socket.id });
      socket.join(['a', 'b']);
      socket.data.user = 'ann';
      const io = side.io;
      return {
        roomsIsSet: socket.rooms instanceof Set,
        rooms: [...socket.rooms].map(name).sort(),
        socketsSize: io.sockets.sockets.size,
        socketsGet: io.sockets.sockets.get(socket.id) === socket,
        socketsHasUnknown: io.sockets.sockets.has('__proto__'),
        socketsIds: [...io.sockets.sockets.keys()].map(name),
        adapterRooms: [...io.sockets.adapter.rooms].map(([room, members]) => [name(room), [...members].map(name)]).sort(),
        adapterSids: [...io.sockets.adapter.sids].map(([id, rooms]) => [name(id), [...rooms].map(name).sort()]),
        nsps: [...io._nsps.keys()],
        ofRootIsSockets: io.of('/') === io.sockets,
        auth: socket.handshake.auth,
        query: { room: socket.handshake.query.room, EIO: socket.handshake.query.EIO, transport: socket.handshake.query.transport },
        handshakeKeys: Object.keys(socket.handshake).sort(),
        data: socket.data,
        sameId: client.id === socket.id,
        connected: socket.connected,
        disconnected: socket.disconnected,
        recovered: socket.recovered,
        nspName: socket.nsp.name,
        clientConnIsConn: socket.client.conn === socket.conn,
        transport: socket.conn.transport.name,
      };
    });
    expect(ours).toEqual(theirs);
    expect(ours.rooms).toEqual(['ID', 'a', 'b']);
    expect(ours.adapterRooms).toEqual([
      ['ID', ['ID']],
      ['a', ['ID']],
      ['b', ['ID']],
    ]);
    expect(ours.socketsHasUnknown).toBe(false);
  });

  it('disconnecting and disconnect: the reasons of socket.io 4.8, rooms still there in disconnecting', async () => {
    const endings: Array<[string, (socket: Socket, client: any, side: Side) => unknown]> = [
      ['client leaves', (_socket, client) => client.disconnect()],
      ['server disconnects the socket', (socket) => socket.disconnect()],
      ['server closes the connection', (socket) => socket.disconnect(true)],
      ['client closes its engine', (_socket, client) => client.io.engine.close()],
      ['server shuts down', (_socket, _client, side) => void side.io.close()],
    ];
    for (const [label, end] of endings) {
      const { ours, theirs } = await differential(async (side) => {
        const { socket, client } = await connectOne(side);
        socket.join('room');
        const seen: unknown[] = [];
        socket.on('disconnecting', (reason) => seen.push(['disconnecting', reason, [...socket.rooms].filter((room) => room !== socket.id), socket.connected]));
        const disconnected = next(socket, 'disconnect');
        const clientSaw = next<[string]>(client, 'disconnect');
        end(socket, client, side);
        const [reason] = await disconnected;
        seen.push(['disconnect', reason, [...socket.rooms], socket.connected, side.io.sockets.sockets.has(socket.id)]);
        seen.push(['client', (await clientSaw)[0]]);
        return seen;
      });
      expect(ours, label).toEqual(theirs);
    }
  });

  it('a packet that does not parse ends the connection, with the reason socket.io 4.8 gives', async () => {
    const { ours, theirs } = await differential(async (side) => {
      const { socket, client } = await connectOne(side);
      const errors: string[] = [];
      socket.on('error', (err) => errors.push(err.message));
      const disconnected = next<[string]>(socket, 'disconnect');
      const clientSaw = next<[string]>(client, 'disconnect');
      (client.io.engine as unknown as { write(data: string): void }).write('2["unterminated"');
      return { reason: (await disconnected)[0], client: (await clientSaw)[0], errors: errors.length };
    });
    expect(ours).toEqual(theirs);
    expect(ours).toEqual({ reason: 'forced close', client: 'transport close', errors: 1 });
  });

  it('a middleware refusal reaches the 4.x client with err.message and err.data', async () => {
    const { ours, theirs } = await differential(async (side) => {
      side.io.use((socket, next) => {
        if (socket.handshake.auth.token === 'good') return next();
        const err = Object.assign(new Error('not authorized'), { data: { hint: 'log in', code: 401 } });
        next(err);
      });
      side.io.of('/admin').use((_socket, next) => next(new Error('admins only')));
      const refused = side.client('/', { auth: { token: 'bad' } });
      const [err] = await next<[Error & { data?: unknown }]>(refused, 'connect_error');
      const admin = side.client('/admin', { auth: { token: 'good' } });
      const [adminErr] = await next<[Error & { data?: unknown }]>(admin, 'connect_error');
      const ok = side.client('/', { auth: { token: 'good' } });
      await connected(ok);
      return { message: err.message, data: err.data, adminMessage: adminErr.message, adminData: adminErr.data ?? null, sockets: side.io.sockets.sockets.size };
    });
    expect(ours).toEqual(theirs);
    expect(ours).toEqual({ message: 'not authorized', data: { hint: 'log in', code: 401 }, adminMessage: 'admins only', adminData: null, sockets: 1 });
  });

  it('new_namespace for io.of() and for the children of a dynamic namespace; cleanupEmptyChildNamespaces forgets them', async () => {
    const { ours, theirs } = await differential(
      async (side) => {
        const created: string[] = [];
        side.io.on('new_namespace', (nsp) => created.push(nsp.name));
        side.io.of('/static');
        side.io.of('/static');
        const joined: string[] = [];
        side.io.of(/^\/dyn-\d+$/).on('connection', (socket) => joined.push(socket.nsp.name));
        const client = side.client('/dyn-7');
        await connected(client);
        const whileConnected = [...side.io._nsps.keys()].sort();
        client.disconnect();
        await delay(100);
        return { created, joined, whileConnected, after: [...side.io._nsps.keys()].sort() };
      },
      { cleanupEmptyChildNamespaces: true },
    );
    expect(ours).toEqual(theirs);
    expect(ours).toEqual({ created: ['/static', '/dyn-7'], joined: ['/dyn-7'], whileConnected: ['/', '/dyn-7', '/static'], after: ['/', '/static'] });
  });

  it("io.of(name) for a name a RegExp namespace matches gives that namespace's child, its middlewares and listeners", async () => {
    const { ours, theirs } = await differential(async (side) => {
      const created: string[] = [];
      side.io.on('new_namespace', (nsp) => created.push(nsp.name));
      const parent = side.io.of(/^\/room-\d+$/);
      parent.use((socket, next) => {
        socket.data.viaParent = true;
        next();
      });
      const heard: unknown[] = [];
      parent.on('connection', (socket) => heard.push([socket.nsp.name, socket.data.viaParent]));
      const child = side.io.of('room-7');
      const again = side.io.of('/room-7');
      const client = side.client('/room-7');
      await connected(client);
      await delay(20);
      return { created, same: child === again, name: child.name, heard, nsps: [...side.io._nsps.keys()].sort() };
    });
    expect(ours).toEqual(theirs);
    expect(ours).toEqual({ created: ['/room-7'], same: true, name: '/room-7', heard: [['/room-7', true]], nsps: ['/', '/room-7'] });
  });

  it('close() returns a Promise that resolves once the http server is closed', async () => {
    const { ours, theirs } = await differential(async (side) => {
      const { client } = await connectOne(side);
      const clientSaw = next<[string]>(client, 'disconnect');
      const closing = side.io.close();
      const isPromise = closing instanceof Promise;
      await closing;
      return { isPromise, listening: side.httpServer.listening, client: (await clientSaw)[0] };
    });
    expect(ours).toEqual(theirs);
    expect(ours).toEqual({ isPromise: true, listening: false, client: 'transport close' });
  });

  it('allowEIO3: socket.io-client 2.x is refused by default and served with allowEIO3: true', async () => {
    const outcome = (side: Side) =>
      new Promise<string>((resolve) => {
        const client = ioV2(side.url, { forceNew: true, reconnection: false, transports: ['polling'] });
        client.once('connect', () => resolve('connected'));
        client.once('connect_error', () => resolve('refused'));
        client.once('error', () => resolve('refused'));
        setTimeout(() => resolve('no answer'), 3000);
      }).finally(() => undefined);
    const byDefault = await differential(outcome);
    expect(byDefault.ours).toEqual(byDefault.theirs);
    expect(byDefault.ours).toBe('refused');
    const allowed = await differential(outcome, { allowEIO3: true });
    expect(allowed.ours).toEqual(allowed.theirs);
    expect(allowed.ours).toBe('connected');
  });

  it('connectTimeout: a connection that joins no namespace is closed', async () => {
    const { ours, theirs } = await differential(
      async (side) => {
        const engine = new EngineClient(side.url, { path: '/socket.io/', transports: ['websocket'] });
        const started = Date.now();
        const [reason] = await next<[string]>(engine, 'close');
        return { reason, soon: Date.now() - started < 2500 };
      },
      { connectTimeout: 300 },
    );
    expect(ours).toEqual(theirs);
    expect(ours).toEqual({ reason: 'transport close', soon: true });
  });
});

describe('iostate/v4 connectTimeout with middlewares that never answer, compared with socket.io 4.8', () => {
  it('the connection is closed when no namespace connected in time; a later namespace may wait for its middleware', async () => {
    const { ours, theirs } = await differential(
      async (side) => {
        side.io.use((socket, next) => {
          if (socket.handshake.auth.stuck) return; // never answers
          next();
        });
        side.io.of('/slow').use(() => {}); // never answers
        const stuck = side.client('/', { auth: { stuck: true } });
        const seen: unknown[] = [];
        stuck.on('connect_error', (err) => seen.push(['connect_error', err.message]));
        stuck.on('disconnect', (reason) => seen.push(['disconnect', reason]));
        const fine = side.client('/');
        await connected(fine);
        const slow = fine.io.socket('/slow');
        slow.connect();
        slow.on('connect_error', (err) => seen.push(['slow connect_error', err.message]));
        const stillThere = { fine: fine.connected };
        await delay(900);
        return { seen, stillThere, fineAfter: fine.connected, slowConnected: slow.connected };
      },
      { connectTimeout: 400 },
    );
    expect(ours).toEqual(theirs);
    expect(ours).toEqual({ seen: [['disconnect', 'transport close']], stillThere: { fine: true }, fineAfter: true, slowConnected: false });
  });
});
