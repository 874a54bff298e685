/**
 * Where `iostate replay` and `iostate inspect` read events: JSONL files, a
 * cluster's shared log in Redis (`--redis URL [--key KEY]`), or both. Each
 * file and the stream are merged as readLog merges several files. ioredis
 * is loaded only when a stream is read.
 */
import type { LogEvent } from '../log/events';
import { mergeEvents, readLog } from '../log/read-log';
import type { CliIO } from './cli-io';

export interface LogSource {
  files: string[];
  /** The stream `<key>-log` that the Redis adapter writes, on the Redis at `url`. */
  redis?: { url: string; key: string };
}

/** The options of every log command besides its files, for node:util parseArgs. */
export const logSourceOptions = { redis: { type: 'string' }, key: { type: 'string' } } as const;

const DEFAULT_KEY = 'socket.io';

/** A one-shot read: an unreachable Redis fails the command instead of being waited for. */
const REDIS_CONNECT_TIMEOUT_MS = 5000;

/** The source given by the command's files and its --redis/--key values, or why they give none. */
export function logSource(files: string[], values: { redis?: string; key?: string }): LogSource | string {
  if (values.redis === undefined) {
    if (values.key !== undefined) return '--key needs --redis URL';
    if (files.length === 0) return 'no log file given (nor --redis URL)';
    return { files };
  }
  if (!isRedisUrl(values.redis)) return `--redis expects a URL such as redis://localhost:6379, got "${values.redis}"`;
  return { files, redis: { url: values.redis, key: values.key ?? DEFAULT_KEY } };
}

function isRedisUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** How output names each part of the source: the files, and the stream without the URL's password. */
export function sourceNames(source: LogSource): string[] {
  return source.redis ? [...source.files, streamName(source.redis)] : source.files;
}

function streamName(redis: { url: string; key: string }): string {
  const url = new URL(redis.url);
  url.username = '';
  url.password = '';
  return `${url.href.replace(/\/$/, '')} (stream ${redis.key}-log)`;
}

/**
 * Reads every part of the source, reporting bad lines and invalid stream
 * entries on stderr; undefined (after saying why) when Redis cannot be read
 * or the source holds no event.
 */
export async function readEvents(name: string, source: LogSource, io: CliIO): Promise<LogEvent[] | undefined> {
  const lists: LogEvent[][] = [];
  for (const file of source.files) {
    const { events, problems } = await readLog(file);
    for (const problem of problems) io.stderr(`${problem.file}${problem.line > 0 ? `:${problem.line}` : ''}: ${problem.message}\n`);
    lists.push(events);
  }
  if (source.redis) {
    const stream = await readStream(name, source.redis, io);
    if (!stream) return undefined;
    lists.push(stream);
  }
  const events = mergeEvents(lists);
  if (events.length > 0) return events;
  io.stderr(`iostate ${name}: no events in ${sourceNames(source).join(', ')}\n`);
  return undefined;
}

async function readStream(name: string, redis: { url: string; key: string }, io: CliIO): Promise<LogEvent[] | undefined> {
  const { readClusterLog } = await import('../adapters/redis/read-cluster-log');
  let log;
  try {
    log = await readClusterLog({ redis: redis.url, key: redis.key, connectTimeout: REDIS_CONNECT_TIMEOUT_MS });
  } catch (error) {
    io.stderr(`iostate ${name}: cannot read ${streamName(redis)}: ${(error as Error).message}\n`);
    return undefined;
  }
  for (const { id, problem } of log.invalid) io.stderr(`${streamName(redis)} entry ${id}: ${problem}, skipped\n`);
  return log.events;
}
