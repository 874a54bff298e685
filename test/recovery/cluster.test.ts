/**
 * Connection state recovery across two iostate nodes on a real Redis: a
 * socket.io-client 4.x client reaches the cluster through a switching TCP
 * proxy (a load balancer without stickiness), its transport is cut while
 * both nodes broadcast to its room, and it reconnects to the other node. It
 * gets its id, rooms and data back and every packet once, in order per
 * sending node. A holder that cannot answer is "node holding the state lost".
 */
import { createServer, connect as tcpConnect, type Server as TcpServer, type Socket as TcpSocket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Socket as V4Socket } from 'socket.io-client';
import { Redis } from 'ioredis';
import { skipWithoutRedis, startRedis, type TestRedis } from '../redis/redis-server';
import { startIostateNode, type IostateNode } from '../redis/cluster-harness';
import { replay } from '../../src/log/replay';
import type { LogEventOf } from '../../src/log/events';
import { client, cutTransport, once, until } from './one-node-harness';

interface Proxy {
  port: number;
  target: number;
  close(): Promise<void>;
}

/** Forwards each new TCP connection to `target` (changeable): where a reconnect lands. */
async function switchingProxy(target: number): Promise<Proxy> {
  const open = new Set<TcpSocket>();
  const server: TcpServer = createServer((socket) => {
    const upstream = tcpConnect(proxy.target, '127.0.0.1');
    for (const side of [socket, upstream]) {
      open.add(side);
      side.on('error', () => {});
      side.on('close', () => {
        open.delete(side);
        socket.destroy();
        upstream.destroy();
      });
    }
    socket.pipe(upstream);
    upstream.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: Proxy = {
    port: (server.address() as AddressInfo).port,
    target,
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}

describe.skipIf(skipWithoutRedis('recovery across nodes'))('connection state recovery across iostate/redis nodes', () => {
  let redis: TestRedis;
  const nodes: IostateNode[] = [];
  const clients: V4Socket[] = [];
  const proxies: Proxy[] = [];
  const timers: NodeJS.Timeout[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });
  afterEach(async () => {
    for (const timer of timers.splice(0)) clearInterval(timer);
    for (const socket of clients.splice(0)) socket.close();
    for (const proxy of proxies.splice(0)) await proxy.close();
    await Promise.all(nodes.splice(0).map((node) => node.close()));
    await redis.flush();
  });

  async function twoNodes(): Promise<[IostateNode, IostateNode]> {
    const options = { connectionStateRecovery: { maxDisconnectionDuration: 20_000 } };
    const started = await Promise.all([startIostateNode('node-a', { url: redis.url }, options), startIostateNode('node-b', { url: redis.url }, options)]);
    nodes.push(...started);
    return started as [IostateNode, IostateNode];
  }

  function recoveries(node: IostateNode): Array<LogEventOf<'socket.recovery'>> {
    return node.io.log.events().filter((event): event is LogEventOf<'socket.recovery'> => event.type === 'socket.recovery' && event.node === node.name);
  }

  /** `name` 0..count-1 to room `room` from `node`, one every `every` ms. */
  function stream(node: IostateNode, name: string, count: number, every = 5): Promise<void> {
    return new Promise((resolve) => {
      let next = 0;
      const timer = setInterval(() => {
        node.io.to('feed').emit(name, next++);
        if (next === count) {
          clearInterval(timer);
          resolve();
        }
      }, every);
      timers.push(timer);
    });
  }

  it('a client cut from one node recovers on the other: id, rooms, data, every packet once, in order per sender', async () => {
    const [a, b] = await twoNodes();
    for (const node of [a, b]) {
      node.io.on('connection', (socket) => {
        if (socket.recovered) return;
        socket.join('feed');
        socket.data.user = 'ada';
      });
    }
    const proxy = await switchingProxy(a.port);
    proxies.push(proxy);
    const socket = client(proxy.port);
    clients.push(socket);
    const got: Record<string, number[]> = { fromA: [], fromB: [] };
    socket.on('fromA', (n: number) => got.fromA.push(n));
    socket.on('fromB', (n: number) => got.fromB.push(n));
    const blobs: unknown[] = [];
    socket.on('blob', (bytes: unknown) => blobs.push(bytes));
    await once(socket, 'connect');
    const id = socket.id;
    const done = Promise.all([stream(a, 'fromA', 200), stream(b, 'fromB', 200)]);
    await until(() => got.fromA.length >= 30, 'the first packets');
    proxy.target = b.port; // the next connection lands on node b
    cutTransport(socket);
    a.io.to('feed').emit('blob', Buffer.from([7, 8, 9])); // binary, handed over through Redis
    await once(socket, 'connect');
    await done;
    await until(() => got.fromA.includes(199) && got.fromB.includes(199), 'the last packets');
    const all = Array.from({ length: 200 }, (_, i) => i);
    expect(got.fromA).toEqual(all);
    expect(got.fromB).toEqual(all);
    await until(() => blobs.length > 0, 'the binary packet');
    expect(blobs.map((bytes) => [...Buffer.from(bytes as ArrayBuffer)])).toEqual([[7, 8, 9]]);
    expect(socket.recovered).toBe(true);
    expect(socket.id).toBe(id);
    const onB = b.io.of('/').connected[id!]!;
    expect(onB.recovered).toBe(true);
    expect(onB.data).toEqual({ user: 'ada' });
    expect(Object.keys(onB.rooms).sort()).toEqual(['feed', id!].sort());
    const [record] = recoveries(b);
    expect(record).toMatchObject({ recovered: true, socketId: id, nsp: '/' });
    expect(record.packets).toBeGreaterThan(0);
    // Where the session was held is forgotten in Redis once it is back (node a deleted its key).
    const keys = new Redis(redis.url);
    try {
      let left: string[] = ['?'];
      await until(() => {
        void keys.keys('*-recovery#*').then((found) => (left = found));
        return left.length === 0;
      }, 'the recovery key to go');
    } finally {
      keys.disconnect();
    }
  });

  it('records "node holding the state lost" when the holder does not answer', async () => {
    const [a, b] = await twoNodes();
    const proxy = await switchingProxy(a.port);
    proxies.push(proxy);
    const socket = client(proxy.port, '/', 300);
    clients.push(socket);
    await once(socket, 'connect');
    a.io.emit('hello', 1);
    await once(socket, 'hello');
    const id = socket.id;
    const left = once(a.io.of('/').connected[id!]!, 'disconnect');
    proxy.target = b.port;
    cutTransport(socket);
    await left;
    // Node a stays alive in Redis but hears no request any more.
    await a.adapter().node.connections.sub.quit();
    await once(socket, 'connect');
    expect(socket.recovered).toBe(false);
    const [record] = recoveries(b);
    expect(record).toMatchObject({ recovered: false, reason: 'node holding the state lost', detail: expect.stringContaining('node-a did not answer') });
    const explanation = replay(b.io.log.events()).sockets.find((s) => s.id === socket.id)?.explanation;
    expect(explanation).toContain('not recovered at');
    expect(explanation).toContain(': node holding the state lost: node node-a did not answer');
  });
});
