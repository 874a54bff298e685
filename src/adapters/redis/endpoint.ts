/**
 * Which Redis server and database a `redisAdapter(...)` reaches, told from
 * its options as ioredis resolves them (host, port, unix socket, TLS,
 * database), so that `redis://127.0.0.1:6379`, `redis://localhost:6379`,
 * `{ host: 'localhost' }` and a client of the user's connected there are one
 * cluster (with the same key). Loopback names count as one host.
 *
 * Not from what the server says of itself (`INFO server`'s run_id): a server
 * decides in `io.adapter(X)`, which returns at once with each namespace's
 * adapter made, and either Redis may be unreachable at that moment. So two
 * names of one server that only DNS knows to be the same (`redis` and
 * `10.0.0.5`) still read as two.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisAdapterOptions } from './options';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i;

/** The server and database, or undefined when the client is of a kind whose address is not in its options (an ioredis Cluster). */
export function endpointOf(options: RedisAdapterOptions): string | undefined {
  const resolved = options.pubClient ? (options.pubClient as { options?: RedisOptions }).options : resolve(options);
  if (!resolved) return undefined;
  const db = resolved.db ?? 0;
  if (resolved.path) return `unix ${resolved.path} db ${db}`;
  if (typeof resolved.host !== 'string') return undefined;
  const host = resolved.host.toLowerCase();
  return `${resolved.tls ? 'tls' : 'tcp'} ${LOOPBACK.test(host) ? 'loopback' : host}:${resolved.port ?? 6379} db ${db}`;
}

/** What ioredis makes of a url or host and port, read from a client that never connects. */
function resolve(options: RedisAdapterOptions): RedisOptions {
  const probe = options.url ? new Redis(options.url, { lazyConnect: true }) : new Redis({ host: options.host, port: options.port, lazyConnect: true });
  const resolved = { ...probe.options };
  probe.disconnect();
  return resolved;
}
