/**
 * The `iostate/redis` entry: run several iostate servers as one through
 * Redis (wire-compatible with @socket.io/redis-adapter 8.x), share their
 * event log, and route node:cluster workers by client address.
 *
 *   const { redisAdapter } = require('iostate/redis');
 *   io.adapter(redisAdapter({ host: 'localhost', port: 6379 }));
 */
export { redisAdapter, type RedisAdapterConstructor } from './adapters/redis/create-adapter';
export { RedisAdapter } from './adapters/redis/redis-adapter';
export type { RedisAdapterOptions } from './adapters/redis/options';
export { RequestTimeoutError } from './adapters/redis/pending-requests';
export type { RemoteSocketData, Selection } from './adapters/redis/local-sockets';
export { RedisStreamSink, type RedisStreamSinkOptions } from './log/redis-stream-sink';
export { readClusterLog, type ClusterLog, type ReadClusterLogOptions } from './adapters/redis/read-cluster-log';
export { setupPrimary, setupWorker, pickWorker, type StickyPrimaryOptions } from './cluster/sticky';
