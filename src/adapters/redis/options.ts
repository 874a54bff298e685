/**
 * The options of `redisAdapter(...)`, validated with clear errors, and their
 * defaults. Where Redis is: `{ host, port }`, `{ url }`, or the user's own
 * ioredis instances `{ pubClient, subClient }` (socket.io-redis's forms).
 */
import { z } from 'zod';
import type { Redis } from 'ioredis';
import { SOCKET_IO_REDIS_5 } from './legacy-wire';

export interface RedisAdapterOptions {
  host?: string;
  port?: number;
  /** `redis://[:password@]host:port[/db]`. */
  url?: string;
  /** Your ioredis client for commands and publishing; pass `subClient` with it. They stay yours: never closed by iostate. */
  pubClient?: Redis;
  /** Your ioredis client for subscriptions (it enters subscriber mode). */
  subClient?: Redis;
  /** Prefix of every channel and key. Default 'socket.io' (as @socket.io/redis-adapter). */
  key?: string;
  /** How long a request to the other nodes may wait for their answers (ms). Default 5000. */
  requestsTimeout?: number;
  /** How often this node renews its liveness key (ms). Default 1000. */
  heartbeatInterval?: number;
  /** A node whose key is older than this is down, and its sockets are dropped everywhere (ms). Default 5000. */
  heartbeatTimeout?: number;
  /** Share the event log through the Redis stream `<key>-log`. Default true. */
  sharedLog?: boolean;
  /** Approximate length the log stream is trimmed to; `false` never trims. Default 100,000 events. */
  streamMaxLen?: number | false;
  /** Client acks this node waits for at once on behalf of other nodes' broadcasts with acks (socket.io 4's `timeout().emit(..., cb)`). Default 10,000. */
  maxPendingAcks?: number;
  /**
   * 'socket.io-redis-5': send requests in socket.io-redis 5's dialect, for a
   * cluster with socket.io 2 nodes (docs/cluster.md). Default: @socket.io/redis-adapter 8's.
   */
  compat?: typeof SOCKET_IO_REDIS_5;
}

export interface ResolvedOptions {
  key: string;
  requestsTimeout: number;
  heartbeatInterval: number;
  heartbeatTimeout: number;
  sharedLog: boolean;
  streamMaxLen: number | false;
  maxPendingAcks: number;
  compat: typeof SOCKET_IO_REDIS_5 | undefined;
}

const positive = z.number().int().positive();

const schema = z
  .object({
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    url: z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional(),
    pubClient: z.custom<Redis>(isRedisClient, { message: 'must be an ioredis client' }).optional(),
    subClient: z.custom<Redis>(isRedisClient, { message: 'must be an ioredis client' }).optional(),
    key: z.string().min(1).optional(),
    requestsTimeout: positive.optional(),
    heartbeatInterval: positive.optional(),
    heartbeatTimeout: positive.optional(),
    sharedLog: z.boolean().optional(),
    streamMaxLen: z.union([positive, z.literal(false)]).optional(),
    maxPendingAcks: positive.optional(),
    compat: z.literal(SOCKET_IO_REDIS_5).optional(),
  })
  .strict()
  .refine((o) => (o.pubClient === undefined) === (o.subClient === undefined), {
    message: 'pubClient and subClient go together: pass both or neither',
  })
  .refine((o) => !(o.url && (o.host || o.port)), { message: 'pass either url or host/port, not both' })
  .refine((o) => !(o.pubClient && (o.url || o.host || o.port)), { message: 'pass either your clients or where Redis is, not both' })
  .refine((o) => (o.heartbeatTimeout ?? 5000) > (o.heartbeatInterval ?? 1000), {
    message: 'heartbeatTimeout must be longer than heartbeatInterval',
  });

export function parseOptions(options: RedisAdapterOptions = {}): { options: RedisAdapterOptions; resolved: ResolvedOptions } {
  const parsed = schema.safeParse(options);
  if (!parsed.success) throw new TypeError(`Invalid redisAdapter options:\n${z.prettifyError(parsed.error)}`);
  return {
    options: parsed.data as RedisAdapterOptions,
    resolved: {
      key: options.key ?? 'socket.io',
      requestsTimeout: options.requestsTimeout ?? 5000,
      heartbeatInterval: options.heartbeatInterval ?? 1000,
      heartbeatTimeout: options.heartbeatTimeout ?? 5000,
      sharedLog: options.sharedLog ?? true,
      streamMaxLen: options.streamMaxLen ?? 100_000,
      maxPendingAcks: options.maxPendingAcks ?? 10_000,
      compat: options.compat,
    },
  };
}

function isRedisClient(value: unknown): boolean {
  const client = value as Partial<Redis> | null;
  return (
    typeof client === 'object' &&
    client !== null &&
    typeof client.publish === 'function' &&
    typeof client.psubscribe === 'function' &&
    typeof client.duplicate === 'function'
  );
}

/** Whether two adapters' options make the same cluster node (every option counts: the node keeps one set). */
export function sameOptions(a: ResolvedOptions, b: ResolvedOptions): boolean {
  return (Object.keys(a) as (keyof ResolvedOptions)[]).every((name) => a[name] === b[name]);
}
