/**
 * Where `iostate replay` and `iostate inspect` read events: JSONL files, a
 * cluster's shared log in Redis (`--redis URL [--key KEY]`), or both. Each
 * file and the stream are merged as readLog merges several files. ioredis
 * is loaded only when a stream is read.
 */
import type { LogEvent } from '../log/events';
import { mergeLogSources, readLogFile, readLogStream, type LogBatch, type LogProblem } from '../log/read-log';
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

/** How many bad lines and entries are printed one by one; the rest are counted. */
export const MAX_PROBLEMS_SHOWN = 10;

/** Prints the first bad lines and entries on stderr, then one line for how many more there were. */
export class ProblemReport {
  private count = 0;

  constructor(private readonly io: CliIO) {}

  add(where: string, message: string): void {
    if (++this.count <= MAX_PROBLEMS_SHOWN) this.io.stderr(`${where}: ${message}\n`);
  }

  file(problem: LogProblem): void {
    this.add(`${problem.file}${problem.line > 0 ? `:${problem.line}` : ''}`, problem.message);
  }

  /** Says how many more there were; once. */
  finish(): void {
    const more = this.count - MAX_PROBLEMS_SHOWN;
    this.count = Math.min(this.count, MAX_PROBLEMS_SHOWN);
    if (more > 0) this.io.stderr(`… and ${more.toLocaleString('en-US')} more bad line${more === 1 ? '' : 's'} or entr${more === 1 ? 'y' : 'ies'}, skipped\n`);
  }
}

/** Why a source could not be read; the message is for stderr. */
export class LogSourceError extends Error {}

export interface OpenLogOptions {
  /** Keep reading a file (or standard input, or the Redis stream) as it grows, until `signal` aborts. */
  follow?: boolean;
  signal?: AbortSignal;
  /** Where `-` reads from. */
  stdin?: AsyncIterable<Buffer | string>;
}

/**
 * The events of every part of the source, merged, a batch at a time, while
 * they are read. Bad lines and entries go to `problems`; an unreadable Redis
 * or a missing stream throws a LogSourceError.
 */
export async function* openLog(name: string, source: LogSource, problems: ProblemReport, options: OpenLogOptions = {}): AsyncGenerator<LogEvent[]> {
  const parts: AsyncIterable<LogBatch>[] = source.files.map((file) =>
    file === STDIN
      ? readLogStream(options.stdin ?? (process.stdin as AsyncIterable<Buffer>))
      : readLogFile(file, { follow: options.follow, signal: options.signal }),
  );
  if (source.redis) parts.push(streamBatches(name, source.redis, problems, options.follow ? { signal: options.signal } : undefined));
  for await (const batch of mergeLogSources(parts)) {
    for (const problem of batch.problems) problems.file(problem);
    if (batch.events.length > 0) yield batch.events;
  }
}

/** The file name that reads standard input. */
export const STDIN = '-';

async function* streamBatches(
  name: string,
  redis: { url: string; key: string },
  problems: ProblemReport,
  follow: { signal?: AbortSignal } | undefined,
): AsyncGenerator<LogBatch> {
  const { readClusterLogPages } = await import('../adapters/redis/read-cluster-log');
  const pages = readClusterLogPages({ redis: redis.url, key: redis.key, connectTimeout: REDIS_CONNECT_TIMEOUT_MS, follow });
  for (;;) {
    let next;
    try {
      next = await pages.next();
    } catch (error) {
      throw new LogSourceError(`iostate ${name}: cannot read ${streamName(redis)}: ${(error as Error).message}`);
    }
    if (next.done) return;
    const page = next.value;
    if (page.missing) throw new LogSourceError(`iostate ${name}: ${missingStream(redis, page.missing.streams)}`);
    for (const { id, problem } of page.invalid) problems.add(`${streamName(redis)} entry ${id}`, `${problem}, skipped`);
    yield { events: page.events, problems: [] };
  }
}

/** A wrong --key: the stream is not there; name the ones that are, as the --key that reads each. */
function missingStream(redis: { url: string; key: string }, streams: string[]): string {
  const where = streamName(redis).replace(/ \(stream .*\)$/, '');
  if (streams.length === 0) return `no stream ${redis.key}-log on ${where}, and no other log stream (*-log) there either`;
  const keys = streams.map((stream) => `${stream} (--key ${stream.slice(0, -'-log'.length)})`);
  return `no stream ${redis.key}-log on ${where}; the log streams there: ${keys.join(', ')}`;
}

/**
 * Reads every part of the source whole, reporting bad lines and invalid
 * stream entries on stderr; undefined (after saying why) when Redis cannot
 * be read or the source holds no event.
 */
export async function readEvents(name: string, source: LogSource, io: CliIO): Promise<LogEvent[] | undefined> {
  const problems = new ProblemReport(io);
  const events: LogEvent[] = [];
  try {
    for await (const batch of openLog(name, source, problems, { stdin: io.stdin })) for (const event of batch) events.push(event);
  } catch (error) {
    if (!(error instanceof LogSourceError)) throw error;
    problems.finish();
    io.stderr(`${error.message}\n`);
    return undefined;
  } finally {
    problems.finish();
  }
  if (events.length > 0) return events;
  io.stderr(`iostate ${name}: no events in ${sourceNames(source).join(', ')}\n`);
  return undefined;
}
