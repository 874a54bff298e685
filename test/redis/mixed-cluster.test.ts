// A socket.io 4 node with @socket.io/redis-adapter 8 and two iostate nodes on
// one Redis: broadcasts and requests both ways.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Server as SocketIoServer } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { skipWithoutRedis, startRedis, type TestRedis } from './redis-server';
import { clientsOf, collect, connect, serverId, startIostateNode, waitFor, type IostateNode, type TestSocket } from './cluster-harness';

describe.skipIf(skipWithoutRedis('mixed cluster'))('mixed cluster: socket.io 4 + @socket.io/redis-adapter and iostate nodes', () => {
  let redis: TestRedis;
  let io4: SocketIoServer;
  let port4: number;
  let redisClients: Redis[] = [];
  let a: IostateNode;
  let b: IostateNode;
  const clients: TestSocket[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });

  async function startCluster(): Promise<void> {
    const pub = new Redis(redis.url);
    const sub = pub.duplicate();
    redisClients = [pub, sub];
    const http = createServer();
    io4 = new SocketIoServer(http, { adapter: createAdapter(pub, sub, { requestsTimeout: 1500 }) });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    port4 = (http.address() as AddressInfo).port;
    a = await startIostateNode('iostate-a', { url: redis.url });
    b = await startIostateNode('iostate-b', { url: redis.url });
    await waitFor('socket.io to subscribe', async () => Number(((await pub.call('PUBSUB', 'NUMSUB', 'socket.io-request#/#')) as [string, number])[1]) === 3);
  }

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await new Promise<void>((resolve) => io4.close(() => resolve()));
    for (const client of redisClients) client.disconnect();
    await Promise.all([a.close(), b.close()]);
    await redis.flush();
  });

  async function client(port: number, generation: 2 | 4 = 4): Promise<TestSocket> {
    const socket = await connect(generation, port);
    clients.push(socket);
    return socket;
  }

  it('broadcasts cross both ways: rooms, except, binary, for both client generations on iostate', async () => {
    await startCluster();
    const on4 = await client(port4);
    const onA = await client(a.port, 2);
    const onB = await client(b.port, 4);
    io4.sockets.sockets.get(on4.id)!.join('room');
    a.io.of('/').connected[serverId(onA)]!.join('room');
    const got = [on4, onA, onB].map((socket) => collect(socket, 'news'));
    io4.to('room').emit('news', 'from socket.io to room');
    a.io.to('room').emit('news', 'from iostate to room');
    io4.sockets.sockets.get(on4.id)!.broadcast.emit('news', 'socket.io sender excluded');
    b.io.emit('news', Buffer.from([9, 8]));
    io4.emit('news', Buffer.from([7]));
    await waitFor('every broadcast to arrive', () => got[0]!.length === 4 && got[1]!.length === 5 && got[2]!.length === 3).catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(got)}`);
    });
    const text = (list: unknown[][]) =>
      list.map(([value]) => (typeof value === 'string' ? value : `bytes ${[...new Uint8Array(value as ArrayBuffer)]}`)).sort();
    expect(text(got[0]!)).toEqual(['bytes 7', 'bytes 9,8', 'from iostate to room', 'from socket.io to room']);
    expect(text(got[1]!)).toEqual(['bytes 7', 'bytes 9,8', 'from iostate to room', 'from socket.io to room', 'socket.io sender excluded']);
    expect(text(got[2]!)).toEqual(['bytes 7', 'bytes 9,8', 'socket.io sender excluded']);
  });

  it('iostate asks socket.io: clients(), in(room).clients(), allRooms, remote join/leave/disconnect, fetchSockets', async () => {
    await startCluster();
    const on4 = await client(port4);
    const onA = await client(a.port);
    io4.sockets.sockets.get(on4.id)!.join('shared');
    a.io.of('/').connected[serverId(onA)]!.join('shared');
    await waitFor('b to see a', async () => (await clientsOf(b)).includes(serverId(onA)));
    expect(await clientsOf(b)).toEqual([on4.id, serverId(onA)].sort());
    expect(await clientsOf(b, 'shared')).toEqual([on4.id, serverId(onA)].sort());
    const rooms = await new Promise<string[]>((resolve, reject) => b.adapter().allRooms((err, list) => (err ? reject(err) : resolve(list))));
    expect(rooms).toEqual(expect.arrayContaining(['shared', on4.id, serverId(onA)]));

    await new Promise<void>((resolve, reject) => b.adapter().remoteJoin(on4.id, 'joined-from-iostate', (err) => (err ? reject(err) : resolve())));
    expect(io4.sockets.sockets.get(on4.id)!.rooms.has('joined-from-iostate')).toBe(true);
    await new Promise<void>((resolve, reject) => b.adapter().remoteLeave(on4.id, 'joined-from-iostate', (err) => (err ? reject(err) : resolve())));
    expect(io4.sockets.sockets.get(on4.id)!.rooms.has('joined-from-iostate')).toBe(false);

    io4.sockets.sockets.get(on4.id)!.data = { user: 'ann' };
    const fetched = await b.adapter().fetchSockets({ rooms: ['shared'] });
    expect(fetched.map((socket) => socket.id).sort()).toEqual([on4.id, serverId(onA)].sort());
    const remote = fetched.find((socket) => socket.id === on4.id)!;
    expect(remote.data).toEqual({ user: 'ann' });
    expect(remote.rooms).toEqual(expect.arrayContaining([on4.id, 'shared']));

    const disconnected = new Promise((resolve) => on4.on('disconnect', resolve));
    await new Promise<void>((resolve, reject) => b.adapter().remoteDisconnect(on4.id, true, (err) => (err ? reject(err) : resolve())));
    expect(await disconnected).toBe('io server disconnect');
  });

  it('socket.io asks iostate: fetchSockets, allRooms, socketsJoin, socketsLeave, disconnectSockets, emit with acks', async () => {
    await startCluster();
    const onA = await client(a.port, 2);
    const onB = await client(b.port, 4);
    a.io.of('/').connected[serverId(onA)]!.data = { user: 'bob' };
    a.io.of('/').connected[serverId(onA)]!.join('team');

    const sockets = await io4.fetchSockets();
    expect(sockets.map((socket) => socket.id).sort()).toEqual([serverId(onA), serverId(onB)].sort());
    const bob = sockets.find((socket) => socket.id === serverId(onA))!;
    expect(bob.data).toEqual({ user: 'bob' });
    expect([...bob.rooms]).toEqual(expect.arrayContaining(['team']));
    expect(bob.handshake.address).toMatch(/127\.0\.0\.1/);
    const adapter4 = io4.of('/').adapter as unknown as { allRooms(): Promise<Set<string>> };
    expect([...(await adapter4.allRooms())]).toEqual(expect.arrayContaining(['team', serverId(onA), serverId(onB)]));

    io4.in('team').socketsJoin('promoted');
    await waitFor('the join on a', () => 'promoted' in a.io.of('/').connected[serverId(onA)]!.rooms);
    io4.socketsLeave('promoted');
    await waitFor('the leave on a', () => !('promoted' in a.io.of('/').connected[serverId(onA)]!.rooms));

    onA.on('ask', (...args: unknown[]) => (args[1] as (answer: string) => void)(`a got ${args[0]}`));
    onB.on('ask', (...args: unknown[]) => (args[1] as (answer: string) => void)(`b got ${args[0]}`));
    const answers = await new Promise<unknown[]>((resolve, reject) =>
      io4.timeout(2000).emit('ask', 'q', (err: Error | null, replies: unknown[]) => (err ? reject(err) : resolve(replies))),
    );
    expect(answers.map(String).sort()).toEqual(['a got q', 'b got q']);

    const gone = new Promise((resolve) => onB.on('disconnect', resolve));
    io4.in(serverId(onB)).disconnectSockets();
    expect(await gone).toBe('io server disconnect');
  });
});
