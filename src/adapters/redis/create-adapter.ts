/**
 * `redisAdapter(options)`: what `io.adapter(...)` takes, as socket.io-redis
 * did. Every namespace of every server using the result shares its Redis
 * connections.
 */
import type { Namespace } from '../../actors/namespace';
import { ConnectionPool } from './connections';
import { parseOptions, type RedisAdapterOptions } from './options';
import { RedisAdapter } from './redis-adapter';

export type RedisAdapterConstructor = new (nsp: Namespace) => RedisAdapter;

/** Throws a TypeError naming what is wrong with `options`. */
export function redisAdapter(options: RedisAdapterOptions = {}): RedisAdapterConstructor {
  const { options: valid, resolved } = parseOptions(options);
  const pool = new ConnectionPool(valid);
  return class extends RedisAdapter {
    constructor(nsp: Namespace) {
      super(nsp, pool, resolved);
    }
  };
}
