/** Which Redis server and database a `redisAdapter(...)` reaches, from its options alone (no Redis needed). */
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { endpointOf } from '../../src/adapters/redis/endpoint';

describe('endpointOf', () => {
  it('names one server by any of its urls, addresses and clients; another port, database or TLS is another', () => {
    const client = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
    try {
      const one = [
        {},
        { url: 'redis://localhost:6379' },
        { url: 'redis://127.0.0.1' },
        { url: 'redis://[::1]:6379/0' },
        { host: 'LOCALHOST', port: 6379 },
        { pubClient: client, subClient: client },
      ].map(endpointOf);
      expect(new Set(one).size).toBe(1);
      expect(one[0]).toBe('tcp loopback:6379 db 0');
      const others = [
        { url: 'redis://localhost:6380' },
        { url: 'redis://localhost:6379/1' },
        { url: 'rediss://localhost:6379' },
        { host: 'redis.internal' },
      ].map(endpointOf);
      expect(new Set([one[0], ...others]).size).toBe(5);
    } finally {
      client.disconnect();
    }
  });

  it('tells nothing of a client whose address is not in its options (an ioredis Cluster)', () => {
    const cluster = { options: { scaleReads: 'master' }, publish() {}, psubscribe() {}, duplicate() {} } as unknown as Redis;
    expect(endpointOf({ pubClient: cluster, subClient: cluster })).toBeUndefined();
  });
});
