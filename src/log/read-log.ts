/**
 * Reads JSONL logs back, one line at a time, so that a log of any length
 * is read in the memory of one chunk. Each line is checked as a cluster
 * node checks another node's stream entry (untrusted-event.ts: a size cap,
 * the schema, times a Date can hold and not far ahead of this clock, whole
 * sizes): files and the stream obey one rule. A bad line (a truncated last
 * line after a crash, an edit, a newer version's event) is reported with
 * its line number and skipped, never thrown. Several files (rotated files,
 * or one per node) are merged by ts, then node, then seq, keeping each
 * file's own order.
 */
import * as fs from 'node:fs';
import { parseUntrustedEvent } from './untrusted-event';
import type { LogEvent } from './events';

export interface LogProblem {
  file: string;
  /** 1-based. */
  line: number;
  message: string;
}

export interface ReadLogResult {
  events: LogEvent[];
  problems: LogProblem[];
}

/** What a reader hands on: the events of a chunk of lines, and the problems met in it. */
export interface LogBatch {
  events: LogEvent[];
  problems: LogProblem[];
}

export interface ReadLogOptions {
  /** At the end of the file, wait for more lines (a live log) until `signal` aborts. */
  follow?: boolean;
  signal?: AbortSignal;
  /** The clock that `ts` may not be more than a day ahead of. Default Date.now(). */
  now?: () => number;
}

const CHUNK = 64 * 1024;
/** How often a followed file is looked at again once its end is reached. */
const FOLLOW_POLL_MS = 200;

/** Turns raw lines into events and problems, numbering them; keeps the unfinished tail of a chunk for the next. */
class LineParser {
  private tail: Buffer | undefined;
  private line = 0;

  constructor(
    private readonly file: string,
    private readonly now: () => number,
  ) {}

  push(chunk: Buffer): LogBatch {
    const batch: LogBatch = { events: [], problems: [] };
    const data = this.tail ? Buffer.concat([this.tail, chunk]) : chunk;
    let start = 0;
    const now = this.now();
    for (let end = data.indexOf(10, start); end !== -1; end = data.indexOf(10, start)) {
      this.take(data.toString('utf8', start, end), false, now, batch);
      start = end + 1;
    }
    this.tail = start < data.length ? data.subarray(start) : undefined;
    return batch;
  }

  /** The last line, which has no newline: a writer that stopped mid-line, or a file that ends without one. */
  end(): LogBatch {
    const batch: LogBatch = { events: [], problems: [] };
    if (this.tail) this.take(this.tail.toString('utf8'), true, this.now(), batch);
    this.tail = undefined;
    return batch;
  }

  private take(raw: string, last: boolean, now: number, batch: LogBatch): void {
    this.line++;
    const text = raw.trim();
    if (text === '') return;
    const { event, problem } = parseUntrustedEvent(text, now);
    if (event) batch.events.push(event);
    else
      batch.problems.push({
        file: this.file,
        line: this.line,
        message: last && problem === 'not JSON' ? 'incomplete last line (the writer stopped mid-line)' : problem,
      });
  }
}

/** Reads a string holding a whole log. */
export function parseLog(text: string, file = '<input>'): ReadLogResult {
  const parser = new LineParser(file, Date.now);
  const body = parser.push(Buffer.from(text, 'utf8'));
  const last = parser.end();
  return { events: [...body.events, ...last.events], problems: [...body.problems, ...last.problems] };
}

/**
 * The events of one JSONL file, a chunk at a time. An unreadable file is a
 * problem at line 0. With `follow`, lines appended later are read as they
 * come, until the signal aborts; a file cut shorter (rotated in place) is
 * read again from its start.
 */
export async function* readLogFile(file: string, options: ReadLogOptions = {}): AsyncGenerator<LogBatch> {
  const parser = new LineParser(file, options.now ?? Date.now);
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (error) {
    yield { events: [], problems: [{ file, line: 0, message: `cannot read: ${(error as Error).message}` }] };
    return;
  }
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
      if (bytesRead > 0) {
        position += bytesRead;
        yield parser.push(Buffer.from(buffer.subarray(0, bytesRead)));
        continue;
      }
      if (!options.follow || options.signal?.aborted) break;
      if ((await handle.stat()).size < position) {
        position = 0;
        yield { events: [], problems: [{ file, line: 0, message: 'the file was cut shorter (rotated in place): reading it again from its start' }] };
        continue;
      }
      await pause(FOLLOW_POLL_MS, options.signal);
    }
  } finally {
    await handle.close();
  }
  yield parser.end();
}

/** The events of a stream of bytes holding JSONL, such as standard input. */
export async function* readLogStream(
  chunks: AsyncIterable<Buffer | string>,
  name = '<stdin>',
  options: Pick<ReadLogOptions, 'now'> = {},
): AsyncGenerator<LogBatch> {
  const parser = new LineParser(name, options.now ?? Date.now);
  for await (const chunk of chunks) yield parser.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  yield parser.end();
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Reads one or several JSONL files whole; an unreadable file is a problem at line 0. */
export async function readLog(paths: string | readonly string[]): Promise<ReadLogResult> {
  const files = typeof paths === 'string' ? [paths] : paths;
  const problems: LogProblem[] = [];
  const lists: LogEvent[][] = [];
  for (const file of files) {
    const events: LogEvent[] = [];
    for await (const batch of readLogFile(file)) {
      for (const event of batch.events) events.push(event);
      problems.push(...batch.problems);
    }
    lists.push(events);
  }
  return { events: mergeEvents(lists), problems };
}

function before(a: LogEvent, b: LogEvent): boolean {
  if (a.ts !== b.ts) return a.ts < b.ts;
  if (a.node !== b.node) return a.node < b.node;
  return a.seq < b.seq;
}

/**
 * Drops an event already taken from another source: what makes an event
 * itself is its node, seq and ts (read twice, from a node's own file
 * and from the cluster's stream, it is kept once). Copies of one event meet
 * close together in the merge (they have one ts), so only the latest
 * identities are remembered, whatever the log's length.
 */
class Duplicates {
  /** node → seq → ts of the events taken; two generations: when the newer is full, the older is dropped whole. */
  private newer = new Map<string, Map<number, number>>();
  private older = new Map<string, Map<number, number>>();
  private size = 0;

  isRepeat(event: LogEvent): boolean {
    if (this.newer.get(event.node)?.get(event.seq) === event.ts || this.older.get(event.node)?.get(event.seq) === event.ts) return true;
    let seqs = this.newer.get(event.node);
    if (!seqs) this.newer.set(event.node, (seqs = new Map()));
    seqs.set(event.seq, event.ts);
    if (++this.size >= REMEMBERED) {
      this.older = this.newer;
      this.newer = new Map();
      this.size = 0;
    }
    return false;
  }
}

/** How many identities the merge remembers: far more than the events of one millisecond, or of a clock that stepped back. */
const REMEMBERED = 50_000;

/**
 * Merges event lists by (ts, node, seq), taking each list in its own order.
 * An event found in several lists is kept once.
 */
export function mergeEvents(lists: readonly (readonly LogEvent[])[]): LogEvent[] {
  if (lists.length === 1) return [...lists[0]!];
  const heads = lists.map(() => 0);
  const merged: LogEvent[] = [];
  const duplicates = new Duplicates();
  for (;;) {
    let pick = -1;
    let next: LogEvent | undefined;
    lists.forEach((list, i) => {
      const candidate = list[heads[i]!];
      if (candidate && (!next || before(candidate, next))) {
        pick = i;
        next = candidate;
      }
    });
    if (!next) return merged;
    if (!duplicates.isRepeat(next)) merged.push(next);
    heads[pick]!++;
  }
}

/** One source of a streaming merge: its current batch and where it is in it. */
interface Head {
  source: AsyncIterator<LogBatch>;
  /** Its place in the list of sources. */
  number: number;
  events: LogEvent[];
  index: number;
}

const MERGED_BATCH = 512;

/**
 * Merges sources of batches (readLogFile, readLogStream, a Redis stream) as
 * mergeEvents merges lists, holding one batch per source: the merged batches
 * come out while the sources are still being read. Problems are handed on
 * as they are met.
 */
export async function* mergeLogSources(sources: readonly AsyncIterable<LogBatch>[]): AsyncGenerator<LogBatch> {
  if (sources.length === 1) {
    yield* sources[0]!;
    return;
  }
  let problems: LogProblem[] = [];
  const heads: Head[] = [];
  /**
   * Which source each node's events came from, and the nodes found in
   * several: only their events can be copies. The batch holding the copy of
   * an event is loaded by the time the event is merged (both sit at the same
   * place in the order), so a node is known to be shared in time.
   */
  const owners = new Map<string, number>();
  const shared = new Set<string>();
  /** The source's next non-empty batch, or false once it has ended. */
  const refill = async (head: Head, index: number): Promise<boolean> => {
    for (;;) {
      const next = await head.source.next();
      if (next.done) return false;
      problems.push(...next.value.problems);
      if (next.value.events.length > 0) {
        head.events = next.value.events;
        head.index = 0;
        for (const event of head.events) {
          const owner = owners.get(event.node);
          if (owner === undefined) owners.set(event.node, index);
          else if (owner !== index) shared.add(event.node);
        }
        return true;
      }
    }
  };
  const iterators = sources.map((source) => source[Symbol.asyncIterator]());
  try {
    for (const [index, source] of iterators.entries()) {
      const head: Head = { source, events: [], index: 0, number: index };
      if (await refill(head, index)) heads.push(head);
    }
    const duplicates = new Duplicates();
    let out: LogEvent[] = [];
    while (heads.length > 0) {
      let pick = 0;
      for (let i = 1; i < heads.length; i++) {
        if (before(heads[i]!.events[heads[i]!.index]!, heads[pick]!.events[heads[pick]!.index]!)) pick = i;
      }
      const head = heads[pick]!;
      const event = head.events[head.index++]!;
      if (!shared.has(event.node) || !duplicates.isRepeat(event)) out.push(event);
      if (head.index === head.events.length && !(await refill(head, head.number))) heads.splice(pick, 1);
      if (out.length >= MERGED_BATCH || problems.length > 0) {
        yield { events: out, problems };
        out = [];
        problems = [];
      }
    }
    yield { events: out, problems };
  } finally {
    // A reader that stopped early (an error, a break) closes every file.
    await Promise.all(iterators.map((iterator) => iterator.return?.()));
  }
}
