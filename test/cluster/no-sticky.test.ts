// Two iostate nodes behind a round-robin TCP balancer with no stickiness:
// websocket-only clients (one TCP connection each) work across the nodes,
// while a long-polling session breaks as soon as a request lands on the
// node that does not know it — the reason long-polling needs sticky sessions.
import { createServer, connect as tcpConnect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ioV2 from 'socket.io-client-v2';
import { io as ioV4 } from 'socket.io-client';
import { skipWithoutRedis, startRedis, type TestRedis } from '../redis/redis-server';
import { collect, serverId, startIostateNode, waitFor, type IostateNode, type TestSocket } from '../redis/cluster-harness';

/** Hands each TCP connection to the next backend in turn. */
function roundRobin(ports: number[]): Promise<{ port: number; close: () => Promise<void> }> {
  let next = 0;
  const open = new Set<Socket>();
  const server = createServer((downstream) => {
    const port = ports[next++ % ports.length]!;
    const upstream = tcpConnect(port, '127.0.0.1');
    for (const socket of [downstream, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {
        downstream.destroy();
        upstream.destroy();
      });
    }
    downstream.pipe(upstream).pipe(downstream);
  });
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of open) socket.destroy();
      server.close(() => resolve());
    });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as AddressInfo).port, close })));
}

describe.skipIf(skipWithoutRedis('no stickiness'))('a round-robin balancer without stickiness', () => {
  let redis: TestRedis;
  let nodes: IostateNode[];
  let balancer: Awaited<ReturnType<typeof roundRobin>>;
  const clients: TestSocket[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    nodes = [await startIostateNode('rr-a', { url: redis.url }), await startIostateNode('rr-b', { url: redis.url })];
    balancer = await roundRobin(nodes.map((node) => node.port));
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await balancer?.close();
    await Promise.all((nodes ?? []).map((node) => node.close()));
    await redis?.close();
  });

  function open(generation: 2 | 4, transports: string[]): TestSocket {
    const url = `http://127.0.0.1:${balancer.port}`;
    const options = { transports, forceNew: true, reconnection: false };
    const client = (generation === 4 ? ioV4(url, options) : ioV2(url, options)) as TestSocket;
    clients.push(client);
    return client;
  }

  it('websocket-only clients of both generations connect through it and get cross-node broadcasts', async () => {
    const sockets = [open(2, ['websocket']), open(4, ['websocket']), open(2, ['websocket']), open(4, ['websocket'])];
    await Promise.all(sockets.map((socket) => new Promise((resolve) => socket.on('connect', resolve))));
    const where = sockets.map((socket) => nodes.find((node) => node.io.of('/').connected[serverId(socket)])!);
    expect(new Set(where.map((node) => node.name)).size).toBe(2);
    where.forEach((node, i) => node.io.of('/').connected[serverId(sockets[i]!)]!.join('all-nodes'));
    await waitFor('both nodes to know every member', () => nodes.every((node) => node.io.log.projections.rooms.membersOf('/', 'all-nodes')?.size === 4));
    const got = sockets.map((socket) => collect(socket, 'news'));
    nodes[0]!.io.to('all-nodes').emit('news', 'hello');
    await waitFor('everyone to get it once', () => got.every((list) => list.length === 1));
  });

  it('a long-polling session breaks when its requests land on the other node', async () => {
    const client = open(4, ['polling']);
    const broken = await new Promise<string>((resolve) => {
      client.on('connect_error', () => resolve('connect_error'));
      client.on('disconnect', () => resolve('disconnect'));
    });
    expect(['connect_error', 'disconnect']).toContain(broken);
  });
});
