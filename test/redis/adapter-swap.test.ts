/**
 * `io.adapter(X)` on a server that already has iostate's Redis adapter:
 * the replaced adapter is closed. socket.io 2.5.1 and 4.8 just drop it,
 * but theirs keep rooms of their own; ours read the log's, so a replaced
 * adapter still subscribed would deliver every broadcast of the other nodes
 * a second time. Closing it must not deafen the new one, which listens on
 * the same channels of the same subscriber connection.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisAdapter, type RedisAdapter } from '../../src/redis';
import { skipWithoutRedis, startRedis, type TestRedis } from './redis-server';
import { FAST, collect, connect, serverId, startIostateNode, type IostateNode, type TestSocket } from './cluster-harness';

describe.skipIf(skipWithoutRedis('redis adapter swap'))('io.adapter(X) replacing a Redis adapter', () => {
  let redis: TestRedis;
  const nodes: IostateNode[] = [];
  const clients: TestSocket[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(nodes.splice(0).map((node) => node.close()));
    await redis.flush();
  });

  /** Resolves once `client` has `sender`'s next broadcast, a marker: its earlier broadcasts arrived before (one publisher: in order). */
  function markerFrom(sender: IostateNode, client: TestSocket): Promise<void> {
    const marker = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no marker from ${sender.name} in 5 s: the receiving node no longer hears it`)), 5000);
      client.on('marker', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    sender.io.emit('marker');
    return marker;
  }

  it('delivers the other nodes’ broadcasts once, and still answers their requests', async () => {
    const [a, b] = await Promise.all([startIostateNode('node-a', { url: redis.url }), startIostateNode('node-b', { url: redis.url })]);
    nodes.push(a, b);
    const client = await connect(4, a.port);
    clients.push(client);
    const replaced = a.adapter();
    const { sub } = replaced.node.connections;
    const listeners = sub.listenerCount('pmessageBuffer');

    a.io.adapter(redisAdapter({ ...FAST, url: redis.url }));
    const current = a.adapter();
    current.on('error', () => {});
    await current.ready();
    expect(current).not.toBe(replaced);
    expect(sub.listenerCount('pmessageBuffer'), 'the replaced adapter stopped listening').toBe(listeners);

    const hellos = collect(client, 'hello');
    b.io.emit('hello');
    await markerFrom(b, client);
    expect(hellos).toHaveLength(1);

    // A request from node b, answered by node a's new adapter: its socket joins a room b then broadcasts to.
    await new Promise<void>((resolve, reject) => b.adapter().remoteJoin(serverId(client), 'far', (err) => (err ? reject(err) : resolve())));
    const far = collect(client, 'far');
    b.io.to('far').emit('far');
    await markerFrom(b, client);
    expect(far).toHaveLength(1);
  });

  it('a second swap keeps the namespace subscribed (the shared channels stay)', async () => {
    const [a, b] = await Promise.all([startIostateNode('node-a', { url: redis.url }), startIostateNode('node-b', { url: redis.url })]);
    nodes.push(a, b);
    const client = await connect(2, a.port);
    clients.push(client);
    for (let swap = 0; swap < 2; swap++) {
      a.io.adapter(redisAdapter({ ...FAST, url: redis.url }));
      (a.adapter() as RedisAdapter).on('error', () => {});
      await a.adapter().ready();
    }
    const hellos = collect(client, 'hello');
    b.io.emit('hello');
    await markerFrom(b, client);
    expect(hellos).toHaveLength(1);
  });
});
