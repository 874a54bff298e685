// Redis unreachable at start, and lost mid-run then restarted empty: a clear
// 'error' on the adapter, local delivery goes on, and once Redis is back
// the cluster works again with the membership it had (and gained meanwhile).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Server } from '../../src/actors/server';
import { redisAdapter, type RedisAdapter } from '../../src/redis';
import { canRestartRedis, skipWithoutRedis, startRedis, type TestRedis } from './redis-server';
import { FAST, clientsOf, collect, connect, serverId, sleep, startIostateNode, waitFor, type IostateNode, type TestSocket } from './cluster-harness';

describe.skipIf(skipWithoutRedis('redis faults'))('redis adapter faults', () => {
  let redis: TestRedis;
  const closers: Array<() => unknown> = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await redis.flush();
  });

  function track<T extends TestSocket | IostateNode>(item: T): T {
    closers.push(() => ('io' in item ? item.close() : item.close()));
    return item;
  }

  it.skipIf(!canRestartRedis('Redis unreachable at start'))(
    'Redis unreachable at start: an error event, local delivery, and the node joins the cluster once Redis is up',
    async () => {
      await redis.stop();
      const http = createServer();
      const io = new Server(http, { eventLog: { node: 'early' }, serveClient: false });
      io.adapter(redisAdapter({ ...FAST, url: redis.url }));
      const errors: Error[] = [];
      io.of('/').adapter.on('error', (error: Error) => errors.push(error));
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      closers.push(() => new Promise<void>((resolve) => io.close(() => resolve())));
      await waitFor('an error event', () => errors.length > 0);
      expect(errors[0]!.message).toMatch(/^Redis (publisher|subscriber) connection failed: .*ECONNREFUSED.*; local delivery continues/);

      const port = (http.address() as AddressInfo).port;
      const local = track(await connect(4, port));
      io.of('/').connected[serverId(local)]!.join('kept');
      const got = collect(local, 'news');
      io.to('kept').emit('news', 'local while Redis is down');
      await waitFor('local delivery', () => got.length === 1);
      const failure = await new Promise<Error | null>((resolve) => io.of('/').clients((err) => resolve(err)));
      expect(failure?.message).toMatch(/^cannot reach the other nodes \(Redis: /);

      await redis.restart();
      const other = track(await startIostateNode('later', { url: redis.url }));
      await waitFor('the early node membership to reach the later node', async () => (await clientsOf(other, 'kept')).includes(serverId(local)), 8000);
      other.io.to('kept').emit('news', 'from the other node');
      await waitFor('cross-node delivery', () => got.length === 2);
    },
  );

  it('a node declared down while alive (its key expired: a partition) announces its sockets again', async () => {
    const a = track(await startIostateNode('watcher', { url: redis.url }));
    const b = track(await startIostateNode('partitioned', { url: redis.url }));
    const onB = track(await connect(4, b.port));
    b.io.of('/').connected[serverId(onB)]!.join('team');
    const membersOnA = () => [...(a.io.log.projections.rooms.membersOf('/', 'team') ?? [])];
    await waitFor('a to know the member', () => membersOnA().length === 1);
    const liveness = (b.adapter().node as unknown as { liveness: { stop(): Promise<void>; start(): void } }).liveness;
    await liveness.stop();
    // a declares b down once its own liveness grace (heartbeatTimeout + 2 s after connecting) is over.
    await waitFor('a to record node.down for b', () => a.io.log.events().some((event) => event.type === 'node.down' && event.down === 'partitioned'), 8000);
    liveness.start();
    await waitFor('b to announce its sockets again', () => membersOnA().length === 1, 5000);
    await sleep(1500);
    expect(membersOnA()).toEqual([serverId(onB)]);
    expect(b.io.log.projections.rooms.membersOf('/', 'team')?.size).toBe(1);
  }, 20_000);

  it.skipIf(!canRestartRedis('Redis lost mid-run'))(
    'Redis lost mid-run and restarted empty: errors, local delivery, then the same membership everywhere and no node declared down',
    async () => {
      const a = track(await startIostateNode('a', { url: redis.url }));
      const b = track(await startIostateNode('b', { url: redis.url }));
      const onA = track(await connect(2, a.port));
      const onB = track(await connect(4, b.port));
      a.io.of('/').connected[serverId(onA)]!.join('before');
      b.io.of('/').connected[serverId(onB)]!.join('before');
      const before = [serverId(onA), serverId(onB)].sort();
      await waitFor(
        'both nodes to list both sockets',
        async () =>
          JSON.stringify(await clientsOf(a, 'before')) === JSON.stringify(before) && JSON.stringify(await clientsOf(b, 'before')) === JSON.stringify(before),
      );
      const errors: Error[] = [];
      for (const node of [a, b]) (node.adapter() as RedisAdapter).on('error', (error: Error) => errors.push(error));

      await redis.stop();
      await waitFor('error events on both nodes', () => errors.length >= 2);
      expect(errors.map((error) => error.message).join('\n')).toMatch(/Redis (publisher|subscriber) connection (lost|failed).*local delivery continues/);
      const got = collect(onA, 'news');
      a.io.to('before').emit('news', 'local during the outage');
      await waitFor('local delivery during the outage', () => got.length === 1);
      a.io.of('/').connected[serverId(onA)]!.join('during');
      // Longer than heartbeatTimeout: the nodes' keys would have expired.
      await sleep(1500);

      await redis.restart();
      await waitFor(
        'b to learn the join made during the outage',
        async () => (await clientsOf(b, 'during').catch((): string[] => [])).includes(serverId(onA)),
        10_000,
      );
      // Each node reconnects on its own schedule: wait until both can ask the cluster again.
      const membersEverywhere = async () => {
        const lists = await Promise.all([a, b].map((node) => clientsOf(node, 'before').catch((): string[] => [])));
        return lists.every((list) => JSON.stringify(list) === JSON.stringify(before));
      };
      await waitFor('both nodes to list the sockets of before again', membersEverywhere, 10_000);
      b.io.to('during').emit('news', 'cross-node after the restart');
      await waitFor('cross-node delivery after the restart', () => got.length === 2);
      expect(got).toEqual([['local during the outage'], ['cross-node after the restart']]);
      // Redis forgot the log: the nodes announced their sockets again, so a node that starts now knows them.
      const c = track(await startIostateNode('c', { url: redis.url }));
      const membersOn = (node: IostateNode, room: string) => [...(node.io.log.projections.rooms.membersOf('/', room) ?? [])].sort();
      await waitFor("c's projection to hold the sockets of a and b", () => JSON.stringify(membersOn(c, 'before')) === JSON.stringify(before));
      expect(membersOn(b, 'during')).toEqual([serverId(onA)]);
      expect(await clientsOf(c, 'before')).toEqual(before);
      // Past the liveness grace (heartbeatTimeout + 2 s reconnect delay) nobody was declared down.
      await sleep(3500);
      const downs = [...a.io.log.events(), ...b.io.log.events(), ...c.io.log.events()].filter((event) => event.type === 'node.down');
      expect(downs.map((event) => `${event.node} declared ${(event as { down: string }).down} down`)).toEqual([]);
    },
    30_000,
  );
});
