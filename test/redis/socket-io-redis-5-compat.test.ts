// iostate/redis and socket.io-redis 5 (socket.io 2 clusters) on one Redis:
// what goes on the wire in `compat: 'socket.io-redis-5'`, why it is needed
// (the request types of the two dialects collide), and what a node does with
// the dialect it does not send.
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import * as msgpack from 'notepack.io';
import { skipWithoutRedis } from './redis-server';
import { connect, serverId, startIostateNode, useRedisCluster, waitFor, type IostateNode, type TestSocket } from './cluster-harness';
import { call, startLegacyNode, subscribers, type LegacyNode } from './legacy-node';

describe.skipIf(skipWithoutRedis('socket.io-redis 5 compat'))('iostate/redis with socket.io-redis 5 nodes', () => {
  const cluster = useRedisCluster();

  /** A socket.io 2.5.1 node with socket.io-redis 5 on the suite's Redis, closed after the test. */
  async function legacyNode(): Promise<LegacyNode> {
    const started = await startLegacyNode('socket.io 2.5.1', cluster.redis.url);
    cluster.cleanups.push(() => started.close());
    return started;
  }

  async function node(name: string, compat?: 'socket.io-redis-5'): Promise<IostateNode> {
    const started = await startIostateNode(name, { url: cluster.redis.url, ...(compat ? { compat } : {}) });
    cluster.nodes.push(started);
    return started;
  }

  async function client(port: number, generation: 2 | 4 = 2): Promise<TestSocket> {
    const socket = await connect(generation, port);
    cluster.clients.push(socket);
    return socket;
  }

  /** Everything published on `pattern` from now on, as [channel, message]. */
  async function listen(pattern: string): Promise<Array<[string, Buffer]>> {
    const spy = new Redis(cluster.redis.url);
    cluster.cleanups.push(() => spy.disconnect());
    const seen: Array<[string, Buffer]> = [];
    spy.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, message: Buffer) => seen.push([channel.toString(), message]));
    await spy.psubscribe(pattern);
    return seen;
  }

  const done = (fn: (cb: (err?: Error | null) => void) => void) => call<void>((cb) => fn((err) => cb(err, undefined)));

  it("compat requests are socket.io-redis 5's: requestid, no uid, its type numbers; binary broadcasts are typed BINARY_EVENT", async () => {
    const a = await node('a', 'socket.io-redis-5');
    // Someone else listens, so requests are published at all.
    await node('b', 'socket.io-redis-5');
    const requests = await listen('socket.io-request#/#');
    const adapter = a.adapter();
    const outcomes = await Promise.allSettled([
      done((cb) => adapter.remoteJoin('nobody', 'r', cb)),
      done((cb) => adapter.remoteLeave('nobody', 'r', cb)),
      done((cb) => adapter.remoteDisconnect('nobody', true, cb)),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const sent = requests.map(([, message]) => JSON.parse(message.toString()));
    for (const request of sent) {
      expect(request.requestid).toMatch(/^[\w-]{6}$/);
      expect(request).not.toHaveProperty('uid');
      expect(request).not.toHaveProperty('requestId');
    }
    // 3 is remoteJoin and 4 remoteLeave for socket.io-redis 5; @socket.io/redis-adapter 8 reads 3 as a leave and 4 as a disconnect.
    expect(sent.map(({ type, sid, room, close }) => ({ type, sid, room, close }))).toEqual([
      { type: 3, sid: 'nobody', room: 'r', close: undefined },
      { type: 4, sid: 'nobody', room: 'r', close: undefined },
      { type: 6, sid: 'nobody', room: undefined, close: true },
    ]);

    const broadcasts = await listen('socket.io#/#*');
    a.io.emit('bytes', Buffer.from([1]));
    a.io.emit('text', 'no binary');
    await waitFor('both broadcasts', () => broadcasts.length === 2);
    const types = broadcasts.map(([, message]) => (msgpack.decode(message) as [string, { type: number }])[1].type);
    expect(types).toEqual([5, 2]);
  });

  it('without compat a node still answers a socket.io 2.5.1 node, and says once that it should use compat', async () => {
    const a = await node('a');
    const errors: string[] = [];
    a.adapter().on('error', (error: Error) => errors.push(error.message));
    const legacy = await legacyNode();
    await waitFor('both to listen', async () => (await subscribers(cluster.redis.url, 'socket.io-request#/#')) === 2);
    const onA = await client(a.port);
    const onLegacy = await client(legacy.port);
    expect((await call<string[]>((cb) => legacy.adapter().clients([], cb))).sort()).toEqual([serverId(onA), serverId(onLegacy)].sort());
    await done((cb) => legacy.adapter().remoteJoin(serverId(onA), 'vip', cb));
    expect(Object.keys(a.io.of('/').connected[serverId(onA)]!.rooms)).toContain('vip');
    expect(errors).toEqual([expect.stringContaining("set compat: 'socket.io-redis-5'")]);
  });

  it('compat: fetchSockets works among iostate nodes, and fails clearly once a socket.io 2 node listens; customRequest needs compat', async () => {
    const a = await node('a', 'socket.io-redis-5');
    const b = await node('b', 'socket.io-redis-5');
    const onB = await client(b.port, 4);
    // Which listeners are iostate nodes, a knows from their liveness keys.
    await waitFor('a to know b', () => a.adapter().node.nodesServing('/').length === 2);
    expect((await a.adapter().fetchSockets()).map((socket) => socket.id)).toEqual([serverId(onB)]);
    await legacyNode();
    await waitFor('the 2.5.1 node to listen', async () => (await subscribers(cluster.redis.url, 'socket.io-request#/#')) === 3);
    await expect(a.adapter().fetchSockets()).rejects.toThrow("fetchSockets() cannot be answered by socket.io 2 nodes (compat: 'socket.io-redis-5')");

    const plain = await node('plain');
    await expect(call<unknown[]>((cb) => plain.adapter().customRequest('x', cb))).rejects.toThrow("customRequest() needs compat: 'socket.io-redis-5'");
  });

  it('a 5.x request naming "__proto__" or "constructor" as the socket is about no socket: no answer, no error', async () => {
    const a = await node('a', 'socket.io-redis-5');
    const errors: string[] = [];
    a.adapter().on('error', (error: Error) => errors.push(error.message));
    const responses = await listen('socket.io-response#/#');
    const publisher = new Redis(cluster.redis.url);
    try {
      for (const [type, sid] of [
        [1, '__proto__'],
        [6, 'constructor'],
        [3, 'hasOwnProperty'],
        [4, '__proto__'],
      ] as const) {
        await publisher.publish('socket.io-request#/#', JSON.stringify({ requestid: `forged${type}`, type, sid, room: 'r', close: true }));
      }
      // A real request after them: once it is answered, the forged ones were handled.
      const onA = await client(a.port);
      await publisher.publish('socket.io-request#/#', JSON.stringify({ requestid: 'real01', type: 1, sid: serverId(onA) }));
      await waitFor('the real answer', () => responses.length > 0);
    } finally {
      publisher.disconnect();
    }
    expect(responses.map(([, message]) => JSON.parse(message.toString()).requestid)).toEqual(['real01']);
    expect(errors).toEqual([]);
  });

  it('an 8.x request naming "__proto__" or "constructor" as the socket is about no socket either', async () => {
    const a = await node('a');
    const errors: string[] = [];
    a.adapter().on('error', (error: Error) => errors.push(error.message));
    const responses = await listen('socket.io-response#/#');
    const publisher = new Redis(cluster.redis.url);
    try {
      for (const [type, sid] of [
        [2, '__proto__'],
        [3, 'constructor'],
        [4, '__proto__'],
      ] as const) {
        await publisher.publish('socket.io-request#/#', JSON.stringify({ uid: 'forger', requestId: `forged${type}`, type, sid, room: 'r', close: true }));
      }
      const onA = await client(a.port);
      await publisher.publish('socket.io-request#/#', JSON.stringify({ uid: 'forger', requestId: 'real01', type: 2, sid: serverId(onA), room: 'r' }));
      await waitFor('the real answer', () => responses.length > 0);
    } finally {
      publisher.disconnect();
    }
    expect(responses.map(([, message]) => JSON.parse(message.toString()).requestId)).toEqual(['real01']);
    expect(errors).toEqual([]);
  });

  it('rejects an unknown compat value', async () => {
    const { redisAdapter } = await import('../../src/redis');
    expect(() => redisAdapter({ compat: 'socket.io-redis-4' as never })).toThrow(/compat/);
  });
});
