/**
 * `redisAdapter(options)`: what `io.adapter(...)` takes, as socket.io-redis
 * did. The namespaces of one server share its Redis connections; each
 * server using the result opens its own (unless given the user's clients).
 */
import type { AdapterNamespace } from '../adapter-contract';
import { ConnectionSource } from './connections';
import { parseOptions, type RedisAdapterOptions } from './options';
import { RedisAdapter } from './redis-adapter';

export type RedisAdapterConstructor = new (nsp: AdapterNamespace) => RedisAdapter;

/** Throws a TypeError naming what is wrong with `options`. */
export function redisAdapter(options: RedisAdapterOptions = {}): RedisAdapterConstructor {
  const { options: valid, resolved } = parseOptions(options);
  const source = new ConnectionSource(valid);
  return class extends RedisAdapter {
    constructor(nsp: AdapterNamespace) {
      super(nsp, source, resolved);
    }
  };
}
