// A socket.io 4.8 node with @socket.io/redis-adapter 8 and an iostate/v4 node
// with iostate/redis on one real Redis: broadcasts, fetchSockets,
// socketsJoin/Leave, disconnectSockets and serverSideEmit (with and without
// acks), in both directions.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Server as SocketIo4 } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { Server, type Socket } from '../../src/v4';
import iostate from '../../src';
import { redisAdapter, type RedisAdapter } from '../../src/redis';
import { skipWithoutRedis, startRedis, type TestRedis } from '../redis/redis-server';
import { FAST, waitFor } from '../redis/cluster-harness';
import { connected, next } from './harness';

describe.skipIf(skipWithoutRedis('v4 mixed cluster'))('iostate/v4 and socket.io 4.8 nodes on one Redis', () => {
  let redis: TestRedis;
  const closers: Array<() => Promise<void> | void> = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });
  afterEach(async () => {
    while (closers.length > 0) await closers.pop()!();
    await redis.flush();
  });

  async function listen(http: ReturnType<typeof createServer>): Promise<number> {
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    return (http.address() as AddressInfo).port;
  }

  async function startCluster() {
    const pub = new Redis(redis.url);
    const sub = pub.duplicate();
    const http4 = createServer();
    const io4 = new SocketIo4(http4, { adapter: createAdapter(pub, sub, { requestsTimeout: 1500 }) });
    const port4 = await listen(http4);
    closers.push(() => {
      pub.disconnect();
      sub.disconnect();
    });
    closers.push(() => io4.close());
    const httpV = createServer();
    const v = new Server(httpV, { serveClient: false, eventLog: { node: 'iostate-v4' }, adapter: redisAdapter({ ...FAST, url: redis.url }) });
    const adapter = v.core.of('/').adapter as RedisAdapter;
    adapter.on('error', () => {});
    const portV = await listen(httpV);
    closers.push(async () => {
      await v.close();
      await adapter.node.close();
    });
    await adapter.ready();
    await waitFor('both nodes to subscribe', async () => Number(((await pub.call('PUBSUB', 'NUMSUB', 'socket.io-request#/#')) as [string, number])[1]) === 2);
    return { io4, port4, v, portV };
  }

  async function client(port: number, auth: Record<string, unknown>): Promise<{ client: ClientSocket }> {
    const socket = connect(`http://127.0.0.1:${port}`, { forceNew: true, reconnection: false, transports: ['websocket'], auth });
    closers.push(() => void socket.disconnect());
    await connected(socket);
    return { client: socket };
  }

  it('fetchSockets both ways: remote sockets with id, handshake, rooms and data; local ones are the Socket objects', async () => {
    const { io4, port4, v, portV } = await startCluster();
    const v4Connection = next<[Socket]>(v, 'connection');
    const { client: onV } = await client(portV, { who: 'v' });
    const [vSocket] = await v4Connection;
    vSocket.data = { name: 'on iostate' };
    vSocket.join('shared');
    const io4Connection = next<[any]>(io4, 'connection');
    const { client: on4 } = await client(port4, { who: '4' });
    const [socket4] = await io4Connection;
    socket4.data = { name: 'on socket.io' };
    socket4.join('shared');

    const fromV = await v.in('shared').fetchSockets();
    const remote = fromV.find((socket) => socket.id === on4.id)!;
    expect(remote).toBeDefined();
    expect({ rooms: [...remote.rooms].sort(), data: remote.data, auth: remote.handshake.auth }).toEqual({
      rooms: [on4.id, 'shared'].sort(),
      data: { name: 'on socket.io' },
      auth: { who: '4' },
    });
    expect(fromV.find((socket) => socket.id === onV.id)).toBe(vSocket);

    const from4 = await io4.fetchSockets();
    const seen = from4.find((socket) => socket.id === onV.id)!;
    expect({ rooms: [...seen.rooms].sort(), data: seen.data, auth: seen.handshake.auth }).toEqual({
      rooms: [onV.id, 'shared'].sort(),
      data: { name: 'on iostate' },
      auth: { who: 'v' },
    });

    // A RemoteSocket acts on the real socket through Redis.
    const direct = next<[string]>(on4, 'direct');
    remote.emit('direct', 'from iostate');
    expect((await direct)[0]).toBe('from iostate');
    remote.join('joined-remotely');
    await waitFor('the remote join', () => socket4.rooms.has('joined-remotely'));
  });

  it('socketsJoin, socketsLeave, disconnectSockets and broadcasts cross both ways', async () => {
    const { io4, port4, v, portV } = await startCluster();
    const vConnection = next<[Socket]>(v, 'connection');
    const { client: onV } = await client(portV, {});
    const [vSocket] = await vConnection;
    const connection4 = next<[any]>(io4, 'connection');
    const { client: on4 } = await client(port4, {});
    const [socket4] = await connection4;

    v.socketsJoin('from-v');
    io4.socketsJoin('from-4');
    await waitFor(
      'joins on both nodes',
      () => socket4.rooms.has('from-v') && vSocket.rooms.has('from-4') && vSocket.rooms.has('from-v') && socket4.rooms.has('from-4'),
    );

    const gotOn4 = next<[string]>(on4, 'news');
    const gotOnV = next<[string]>(onV, 'news');
    v.to('from-4').emit('news', 'iostate to the room');
    expect((await gotOn4)[0]).toBe('iostate to the room');
    expect((await gotOnV)[0]).toBe('iostate to the room');
    const again = next<[string]>(onV, 'news');
    io4.to('from-v').except(on4.id!).emit('news', 'socket.io to the room');
    expect((await again)[0]).toBe('socket.io to the room');

    io4.in('from-v').socketsLeave('from-v');
    await waitFor('leaves on both nodes', () => !socket4.rooms.has('from-v') && !vSocket.rooms.has('from-v'));

    const vGone = next<[string]>(vSocket, 'disconnect');
    io4.in(onV.id!).disconnectSockets();
    expect((await vGone)[0]).toBe('server namespace disconnect');
    const gone4 = next<[string]>(socket4, 'disconnect');
    v.disconnectSockets(true);
    expect((await gone4)[0]).toBe('server namespace disconnect');
  });

  it('serverSideEmit, with and without acks, both ways', async () => {
    const { io4, v } = await startCluster();
    io4.on('ping', (n: number, ack: (answer: string) => void) => ack(`pong ${n} from socket.io`));
    v.on('ping', (n: number, ack: (answer: string) => void) => ack(`pong ${n} from iostate`));
    const heardOnV = next<[number]>(v.sockets, 'hello');
    io4.serverSideEmit('hello', 1);
    expect((await heardOnV)[0]).toBe(1);
    const heardOn4 = next<[number]>(io4.sockets, 'hello');
    v.serverSideEmit('hello', 2);
    expect((await heardOn4)[0]).toBe(2);
    expect(await v.serverSideEmitWithAck('ping', 3)).toEqual(['pong 3 from socket.io']);
    expect(await io4.serverSideEmitWithAck('ping', 4)).toEqual(['pong 4 from iostate']);
    const withCallback = await new Promise((resolve) => v.serverSideEmit('ping', 5, (err: Error | null, responses: unknown[]) => resolve([err, responses])));
    expect(withCallback).toEqual([null, ['pong 5 from socket.io']]);
    expect(() => v.serverSideEmit('connection')).toThrow('"connection" is a reserved event name');
  });

  it('a node of the 2.x face answers serverSideEmit and fetchSockets too', async () => {
    const { io4, v } = await startCluster();
    const http2 = createServer();
    const legacy = iostate(http2, { serveClient: false, eventLog: { node: 'iostate-2x' } });
    legacy.adapter(redisAdapter({ ...FAST, url: redis.url }));
    const adapter2 = legacy.of('/').adapter as RedisAdapter;
    adapter2.on('error', () => {});
    const port2 = await listen(http2);
    closers.push(async () => {
      await new Promise<void>((resolve) => legacy.close(() => resolve()));
      await adapter2.node.close();
    });
    await adapter2.ready();
    legacy.on('ping', (n: number, ack: (answer: string) => void) => ack(`pong ${n} from the 2.x face`));
    io4.on('ping', (n: number, ack: (answer: string) => void) => ack(`pong ${n} from socket.io`));
    const { client: on2 } = await client(port2, {});
    expect((await v.serverSideEmitWithAck('ping', 1)).sort()).toEqual(['pong 1 from socket.io', 'pong 1 from the 2.x face']);
    const fetched = await io4.fetchSockets();
    expect(fetched.map((socket) => socket.id)).toContain(on2.id);
  });

  it('broadcasts with acks collect the answers of both nodes, both ways; a RemoteSocket gets its one answer', async () => {
    const { io4, port4, v, portV } = await startCluster();
    const { client: onV } = await client(portV, {});
    const { client: on4 } = await client(port4, {});
    onV.on('q', (n: number, ack: (answer: string) => void) => ack(`v${n}`));
    on4.on('q', (n: number, ack: (answer: string) => void) => ack(`4:${n}`));
    expect((await io4.timeout(2000).emitWithAck('q', 1)).sort()).toEqual(['4:1', 'v1']);
    expect((await v.timeout(2000).emitWithAck('q', 2)).sort()).toEqual(['4:2', 'v2']);
    expect(await v.except(onV.id!).timeout(2000).emitWithAck('q', 3)).toEqual(['4:3']);
    const remote = (await v.fetchSockets()).find((socket) => socket.id === on4.id)!;
    expect(await remote.timeout(2000).emitWithAck('q', 4)).toBe('4:4');
    // A client that does not answer: the timeout, with the answers that came.
    on4.off('q');
    on4.on('q', () => {});
    const late = await new Promise((resolve) => v.timeout(300).emit('q', 5, (err: Error | null, answers: string[]) => resolve([err?.message, answers])));
    expect(late).toEqual(['operation has timed out', ['v5']]);
  });
});
