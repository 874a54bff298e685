// socket.io 4's `io.timeout(ms).emit(event, callback)` from a socket.io 4
// node (@socket.io/redis-adapter 8) reaches iostate nodes as a BROADCAST
// request: iostate delivers it to its clients and publishes their acks. Acks
// that never come are forgotten at the request's timeout, and a node waits
// for a bounded number of them.
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Server as SocketIoServer } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import * as msgpack from 'notepack.io';
import { skipWithoutRedis } from './redis-server';
import { collect, connect, serverId, startIostateNode, useRedisCluster, waitFor, type IostateNode, type TestSocket } from './cluster-harness';
import type { RedisAdapterOptions } from '../../src/redis';

describe.skipIf(skipWithoutRedis('remote acks'))('broadcasts with acks from a socket.io 4 node', () => {
  const cluster = useRedisCluster();
  let io4: SocketIoServer;
  let listener: Redis;
  let a: IostateNode;

  async function startCluster(options: RedisAdapterOptions = {}): Promise<void> {
    const pub = new Redis(cluster.redis.url);
    const sub = pub.duplicate();
    listener = pub.duplicate();
    const http = createServer();
    io4 = new SocketIoServer(http, { adapter: createAdapter(pub, sub, { requestsTimeout: 1500 }) });
    cluster.cleanups.push(
      () => new Promise<void>((resolve) => io4.close(() => resolve())),
      () => [pub, sub, listener].forEach((client) => client.disconnect()),
    );
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    a = await startIostateNode('iostate-a', { url: cluster.redis.url, ...options });
    cluster.nodes.push(a);
    await waitFor('socket.io to subscribe', async () => Number(((await pub.call('PUBSUB', 'NUMSUB', 'socket.io-request#/#')) as [string, number])[1]) === 2);
  }

  /** Every BROADCAST_ACK (type 9) any node publishes, as the value it carries. */
  async function watchAcks(): Promise<unknown[]> {
    const acks: unknown[] = [];
    listener.on('messageBuffer', (_channel: Buffer, message: Buffer) => {
      const body = (message[0] === 0x7b ? JSON.parse(message.toString()) : msgpack.decode(message)) as { type?: number; packet?: unknown };
      if (body.type === 9) acks.push(body.packet);
    });
    await listener.subscribe('socket.io-response#/#');
    return acks;
  }

  async function client(generation: 2 | 4): Promise<TestSocket> {
    const socket = await connect(generation, a.port);
    cluster.clients.push(socket);
    return socket;
  }

  function ask(timeout: number): Promise<{ err: Error | null; replies: unknown[] }> {
    return new Promise((resolve) => io4.timeout(timeout).emit('ask', (err: Error | null, replies: unknown[]) => resolve({ err, replies })));
  }

  it("forgets the acks still missing at the request's timeout: a late ack is not published", async () => {
    await startCluster();
    const acks = await watchAcks();
    const silent = await client(4);
    const late = await client(2);
    const prompt = await client(4);
    silent.on('ask', () => {});
    prompt.on('ask', (...args: unknown[]) => (args[0] as (answer: string) => void)('in time'));
    let answerLate: (() => void) | undefined;
    late.on('ask', (...args: unknown[]) => (answerLate = () => (args[0] as (answer: string) => void)('too late')));
    const result = await ask(1500);
    expect(result.err?.message).toBe('operation has timed out');
    expect(result.replies).toEqual(['in time']);
    await waitFor('iostate to forget the missing acks', () => a.adapter().node.pendingRemoteAcks === 0);

    // The late client answers; the server has its ack once it has the message sent after it.
    const afterAck = new Promise((resolve) => a.io.of('/').connected[serverId(late)]!.on('after', resolve));
    answerLate!();
    late.emit('after');
    await afterAck;
    // Anything iostate published before this marker has reached the listener by the time the marker does.
    const marker = new Promise<void>((resolve) => listener.on('messageBuffer', (_c: Buffer, m: Buffer) => m.toString() === '{"marker":1}' && resolve()));
    await a.adapter().node.connections.pub.publish('socket.io-response#/#', '{"marker":1}');
    await marker;
    expect(acks).toEqual(['in time']);
  });

  it('waits for at most maxPendingAcks acks: a broadcast past it is refused (not delivered, not answered) and reported', async () => {
    await startCluster({ maxPendingAcks: 3 });
    const errors: string[] = [];
    a.adapter().on('error', (error: Error) => errors.push(error.message));
    const silent = [await client(4), await client(2)];
    const received = silent.map((socket) => collect(socket, 'ask'));
    const first = ask(3000);
    await waitFor('the first broadcast to arrive', () => received.every((list) => list.length === 1));
    expect(a.adapter().node.pendingRemoteAcks).toBe(2);
    const refused = await ask(300);
    expect(refused).toEqual({ err: expect.objectContaining({ message: 'operation has timed out' }), replies: [] });
    await waitFor('the refusal to be reported', () => errors.length > 0);
    expect(received.map((list) => list.length)).toEqual([1, 1]);
    expect(a.adapter().node.pendingRemoteAcks).toBe(2);
    expect(errors).toEqual([
      'refused a broadcast with acks from another node: it would wait for 2 more acks, over maxPendingAcks (3, 2 waiting); the requester gets no answer from this node',
    ]);
    expect((await first).err?.message).toBe('operation has timed out');
    await waitFor("the first broadcast's acks to be forgotten", () => a.adapter().node.pendingRemoteAcks === 0);
    const answering = silent.map((socket) => socket.on('ask', (...args: unknown[]) => (args[args.length - 1] as (answer: string) => void)('yes')));
    expect(answering).toHaveLength(2);
    expect(await ask(2000)).toEqual({ err: null, replies: ['yes', 'yes'] });
  });
});
