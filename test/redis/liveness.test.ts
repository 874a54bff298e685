// A node that leaves on purpose marks its liveness key left instead of
// deleting it: a node whose check runs before its stream reader took in the
// leaver's last entry (`server.close`, `cluster.leave`) must not call it down.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECONNECT_DELAY } from '../../src/adapters/redis/connections';
import { Liveness } from '../../src/adapters/redis/liveness';
import { sleep, waitFor } from './cluster-harness';
import { skipWithoutRedis, startRedis, type TestRedis } from './redis-server';

const TIMEOUT = 1000;

describe.skipIf(skipWithoutRedis('redis liveness'))('liveness of a node that leaves', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });

  it('is neither live nor down while its key is marked left, and down once the mark expired to a node that still knows of it', async () => {
    const clients = [new Redis(redis.url), new Redis(redis.url)];
    const downs: string[] = [];
    const liveness = (node: string, client: Redis) =>
      new Liveness({
        redis: client,
        key: 'lv',
        node,
        interval: 100,
        timeout: TIMEOUT,
        namespaces: () => ['/'],
        // The watcher's reader has not taken in the leaver's last entry: it still knows of it.
        known: () => (node === 'watcher' ? ['leaver'] : []),
        onDown: (down) => downs.push(down),
        onError: () => {},
      });
    const watcher = liveness('watcher', clients[0]!);
    const leaver = liveness('leaver', clients[1]!);
    // The watcher's check is private: called here at the moment that matters, right after the leave.
    const check = () => (watcher as unknown as { check(): Promise<void> }).check();
    try {
      await waitFor('both clients ready', () => clients.every((client) => client.status === 'ready'));
      watcher.start();
      leaver.start();
      await waitFor('the watcher to see the leaver live', () => watcher.nodesServing('/').includes('leaver'));
      // Past the watcher's grace after connecting: from now on a missing key is a node down.
      await sleep(TIMEOUT + MAX_RECONNECT_DELAY + 200);
      await leaver.stop();
      await check();
      expect(downs).toEqual([]);
      expect(await clients[0]!.get('lv-node#leaver')).toBe(JSON.stringify({ left: true }));
      expect(watcher.nodesServing('/')).toEqual(['watcher']);
      expect(await clients[0]!.sismember('lv-nodes', 'leaver')).toBe(0);
      // A reader lagging past the mark: the node is down after all (its log never said it left).
      await waitFor('the watcher to call the leaver down once its mark expired', () => downs.length > 0, 5000);
      expect(new Set(downs)).toEqual(new Set(['leaver']));
      expect(await clients[0]!.exists('lv-node#leaver')).toBe(0);
    } finally {
      await watcher.stop();
      for (const client of clients) client.disconnect();
    }
  }, 15_000);
});
