/**
 * The merged log of a cluster, read back from its Redis stream: every
 * node's events in the order Redis received them, each validated. Write it
 * out as JSONL and `iostate replay` rebuilds the cluster's rooms and
 * sessions, or fold it with `replay()` directly.
 */
import { Redis } from 'ioredis';
import { logEvent, type LogEvent } from '../../log/events';

export interface ReadClusterLogOptions {
  /** An ioredis client, or where Redis is. */
  redis: Redis | string | { host?: string; port?: number };
  /** The adapter's `key`. Default 'socket.io'. */
  key?: string;
}

export interface ClusterLog {
  events: LogEvent[];
  /** Stream entries that were not valid events, by entry id. */
  invalid: string[];
}

const PAGE = 1000;

export async function readClusterLog(options: ReadClusterLogOptions): Promise<ClusterLog> {
  const owned = !(options.redis instanceof Redis);
  const redis = options.redis instanceof Redis ? options.redis : typeof options.redis === 'string' ? new Redis(options.redis) : new Redis(options.redis);
  const stream = `${options.key ?? 'socket.io'}-log`;
  const events: LogEvent[] = [];
  const invalid: string[] = [];
  try {
    let start = '-';
    for (;;) {
      const entries = (await redis.call('XRANGE', stream, start, '+', 'COUNT', String(PAGE))) as [string, string[]][];
      for (const [id, fields] of entries) {
        const index = fields.indexOf('e');
        const result = logEvent.safeParse(index === -1 ? undefined : safeJson(fields[index + 1]));
        if (result.success) events.push(result.data);
        else invalid.push(id);
      }
      if (entries.length < PAGE) break;
      start = `(${entries[entries.length - 1]![0]}`;
    }
  } finally {
    if (owned) await redis.quit().catch(() => redis.disconnect());
  }
  return { events, invalid };
}

function safeJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}
