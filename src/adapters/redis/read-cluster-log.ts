/**
 * The merged log of a cluster, read back from its Redis stream: every
 * node's events in the order Redis received them, each validated as a live
 * node validates them: a bounded, valid event (stream-entry.ts) that does
 * not speak for another node's session or socket (foreign-claim.ts).
 * `iostate replay --redis` and `iostate inspect --redis` read it this way;
 * from code, fold it with `replay()`.
 */
import { Redis } from 'ioredis';
import type { LogEvent } from '../../log/events';
import { foreignClaim, OwnerBook } from '../../log/foreign-claim';
import { decodeStreamEntry } from './stream-entry';

export interface ReadClusterLogOptions {
  /** An ioredis client, or where Redis is. */
  redis: Redis | string | { host?: string; port?: number };
  /** The adapter's `key`. Default 'socket.io'. */
  key?: string;
  /**
   * For a client it creates: try to connect once, for at most this many ms,
   * and fail instead of retrying until Redis is back (ioredis's default).
   * For one-shot reads such as `iostate replay --redis`.
   */
  connectTimeout?: number;
  /**
   * Keep reading past the end: entries added later come in as they are
   * written (a blocking XREAD), until `signal` aborts. Without a signal the
   * pages never end.
   */
  follow?: { signal?: AbortSignal };
}

export interface ClusterLog {
  events: LogEvent[];
  /** Stream entries that were skipped, by entry id, with why (worded without the entry's own text). */
  invalid: { id: string; problem: string }[];
  /** Set when the stream does not exist: the log streams (`<key>-log`) this Redis does hold, at most MAX_LISTED. */
  missing?: { streams: string[] };
}

const PAGE = 1000;
/** How long one XREAD waits for new entries before asking again (and the abort is looked at). */
const FOLLOW_BLOCK_MS = 1000;
/** How many other log streams a missing stream's report names. */
export const MAX_LISTED = 20;

type XReadReply = [stream: string, entries: [id: string, fields: string[]][]][] | null;

export async function readClusterLog(options: ReadClusterLogOptions): Promise<ClusterLog> {
  const log: ClusterLog = { events: [], invalid: [] };
  for await (const page of readClusterLogPages(options)) {
    for (const event of page.events) log.events.push(event);
    log.invalid.push(...page.invalid);
    if (page.missing) log.missing = page.missing;
  }
  return log;
}

/**
 * The same, a page of entries at a time, so that a reader (streaming replay)
 * holds one page of the stream in memory, not all of it.
 */
export async function* readClusterLogPages(options: ReadClusterLogOptions): AsyncGenerator<ClusterLog> {
  const owned = !(options.redis instanceof Redis);
  const redis = options.redis instanceof Redis ? options.redis : createClient(options.redis, options.connectTimeout);
  const stream = `${options.key ?? 'socket.io'}-log`;
  const owners = new OwnerBook();
  /** The page made of these entries, each checked at `now`. */
  const pageOf = (entries: [string, string[]][], now: number): ClusterLog => {
    const page: ClusterLog = { events: [], invalid: [] };
    for (const [id, fields] of entries) {
      const { event, problem } = decodeStreamEntry(fields, now);
      const claim = event && foreignClaim(event, owners);
      if (!event) page.invalid.push({ id, problem: problem! });
      else if (claim) page.invalid.push({ id, problem: `refused: ${claim}` });
      else {
        owners.note(event);
        page.events.push(event);
      }
    }
    return page;
  };
  const signal = options.follow?.signal;
  // A blocked XREAD on a connection of our own is cut short by closing it (a caller's waits out its BLOCK).
  const onAbort = () => {
    if (owned) redis.disconnect();
  };
  try {
    if (owned && options.connectTimeout !== undefined) await connectOnce(redis, options.connectTimeout);
    const now = Date.now();
    let start = '-';
    let last = '0';
    for (let first = true; ; first = false) {
      const entries = (await redis.call('XRANGE', stream, start, '+', 'COUNT', String(PAGE))) as [string, string[]][];
      const page = pageOf(entries, now);
      if (first && entries.length === 0 && (await redis.exists(stream)) === 0) page.missing = { streams: await logStreams(redis) };
      yield page;
      if (page.missing) return;
      if (entries.length > 0) last = entries[entries.length - 1]![0];
      if (entries.length < PAGE) break;
      start = `(${last}`;
    }
    if (!options.follow || signal?.aborted) return;
    signal?.addEventListener('abort', onAbort, { once: true });
    while (!signal?.aborted) {
      let reply: XReadReply;
      try {
        reply = (await redis.call('XREAD', 'COUNT', String(PAGE), 'BLOCK', String(FOLLOW_BLOCK_MS), 'STREAMS', stream, last)) as XReadReply;
      } catch (error) {
        if (signal?.aborted) return;
        throw error;
      }
      const entries = reply?.[0]?.[1] ?? [];
      if (entries.length === 0) continue;
      last = entries[entries.length - 1]![0];
      yield pageOf(entries, Date.now());
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // QUIT only a connection that works: on a lazy client it would connect again.
    if (owned && redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
    else if (owned) redis.disconnect();
  }
}

/** The streams named `*-log` on this Redis (the adapters' shared logs), sorted, at most MAX_LISTED. */
async function logStreams(redis: Redis): Promise<string[]> {
  const found = new Set<string>();
  let cursor = '0';
  // A bounded look: a Redis with millions of keys is not walked whole for an error message.
  for (let rounds = 0; rounds < 100; rounds++) {
    const [next, keys] = (await redis.call('SCAN', cursor, 'MATCH', '*-log', 'TYPE', 'stream', 'COUNT', '1000')) as [string, string[]];
    for (const key of keys) found.add(key);
    cursor = next;
    if (cursor === '0' || found.size >= MAX_LISTED) break;
  }
  return [...found].sort().slice(0, MAX_LISTED);
}

function createClient(where: string | { host?: string; port?: number }, connectTimeout: number | undefined): Redis {
  if (connectTimeout === undefined) return typeof where === 'string' ? new Redis(where) : new Redis(where);
  // commandTimeout: a server that took the connection but never answers fails the read too.
  const once = { lazyConnect: true, connectTimeout, commandTimeout: connectTimeout, retryStrategy: () => null, maxRetriesPerRequest: 0 };
  return typeof where === 'string' ? new Redis(where, once) : new Redis({ ...where, ...once });
}

/**
 * Connects a lazy client within `ms` (TCP, then the server's answer to the
 * ready check), failing with the cause (ECONNREFUSED, ETIMEDOUT…) rather
 * than ioredis's bare "Connection is closed.".
 */
async function connectOnce(redis: Redis, ms: number): Promise<void> {
  let cause: Error | undefined;
  redis.on('error', (error: Error) => {
    cause ??= error;
  });
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer from Redis within ${ms} ms`));
      redis.disconnect();
    }, ms);
  });
  try {
    await Promise.race([
      redis.connect().catch((error: Error) => {
        throw cause ?? error;
      }),
      silent,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
