/**
 * Appends events to a JSONL file, one whole line per event.
 *
 * - Never blocks on I/O per event: `write` queues the line; once per tick the
 *   queued lines go to the file in one positional write, one write at a time,
 *   so order is kept.
 * - Rotates by size: when the next line would take `x.jsonl` past `maxBytes`,
 *   it becomes `x.1.jsonl` (older ones shift to `x.2.jsonl` …) and a new
 *   `x.jsonl` starts; at most `maxFiles` files exist. A line is never split.
 *   The renames are synchronous: a few metadata calls once per `maxBytes`.
 *   The current file stays open until the new one is: a rotation that fails
 *   is reported and the sink keeps writing to the file it holds, so it never
 *   writes to, or closes, a descriptor it no longer owns.
 * - Only a regular file: a FIFO, a device or a socket is refused at once
 *   (opened non-blocking, so a FIFO without a reader cannot hang start-up).
 * - A failed write (a full disk) drops its records: the bytes it wrote are
 *   cut off again, so no partial line is ever followed by another record;
 *   the records are counted, reported, and the log is told once writing works
 *   again (`reportDropsTo`), which records `log.dropped`.
 * - Crash safety: every write holds whole lines. On process exit (including
 *   an uncaught exception) the lines still queued are written synchronously,
 *   each at the position it was meant for, so the write in flight and the
 *   queue land in order. A SIGKILL loses at most the current tick's lines.
 * One process writes a file: each node of a cluster needs its own path.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { LogEvent } from './events';
import type { DroppedRecords, LogSink } from './sink';
import { printableJson } from './safe-json';

export interface FileSinkOptions {
  path: string;
  /** Size at which the file rotates. Default 64 MiB. */
  maxBytes?: number;
  /** How many files to keep, the current one included. Default 5. */
  maxFiles?: number;
  /** Write and rotation failures; by default one process warning. The sink carries on. */
  onError?: (error: Error) => void;
}

export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_FILES = 5;

interface Chunk {
  rotateFirst: boolean;
  bytes: Buffer;
  lines: number;
  firstSeq: number;
  lastSeq: number;
}

/** A chunk on its way to the file: where it goes, and its bytes (after a newline when `lead`). */
interface Write {
  chunk: Chunk;
  position: number;
  bytes: Buffer;
  lead: boolean;
}

const NEWLINE = Buffer.from('\n');

/** `x.jsonl` rotated `n` times is `x.n.jsonl`. */
export function rotatedPath(path: string, n: number): string {
  if (n === 0) return path;
  const { dir, name, ext } = nodePath.parse(path);
  return nodePath.join(dir, `${name}.${n}${ext}`);
}

export class JsonlFileSink implements LogSink {
  readonly path: string;
  readonly maxBytes: number;
  readonly maxFiles: number;
  private readonly onError: (error: Error) => void;
  /** Always a descriptor this sink opened and has not closed (until `close`). */
  private fd: number;
  /** Where the next byte goes in the current file. */
  private position: number;
  /** The file ends in a partial line (a previous run, or bytes that could not be cut off): start on a fresh line. */
  private startWithNewline: boolean;
  private queued: string[] = [];
  /** The seq of each queued line, to say which records a failed write lost. */
  private queuedSeqs: number[] = [];
  /** Chunks taken from the queue and not yet handed to a write. */
  private planned: Chunk[] = [];
  private inFlight: Write | undefined;
  private draining: Promise<void> | undefined;
  /** Lines taken by write(), and lines written or dropped since: flush() waits for the first count, not for an idle sink. */
  private accepted = 0;
  private settled = 0;
  private closed = false;
  private warned = false;
  private rotationFailing = false;
  /** Records lost since writing last worked; told to the log once it works again. */
  private lost: DroppedRecords | undefined;
  private droppedTotal = 0;
  private reportDrops: ((drop: DroppedRecords) => void) | undefined;
  private readonly onExit = (): void => this.flushSync();

  constructor(options: FileSinkOptions) {
    this.path = options.path;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
    this.onError = options.onError ?? ((error) => this.warnOnce(error));
    const { fd, size, partial } = openLogFile(this.path);
    this.fd = fd;
    this.position = size;
    this.startWithNewline = partial;
    process.on('exit', this.onExit);
  }

  /** Records lost to failed writes since the sink was created. */
  get dropped(): number {
    return this.droppedTotal;
  }

  reportDropsTo(report: (drop: DroppedRecords) => void): void {
    this.reportDrops = report;
  }

  write(event: LogEvent): void {
    if (this.closed) return;
    let line: string;
    try {
      line = printableJson(event) + '\n';
    } catch (error) {
      this.onError(new Error(`event log: event ${event.seq} (${event.type}) cannot be serialised: ${(error as Error).message}`));
      return;
    }
    this.queued.push(line);
    this.queuedSeqs.push(event.seq);
    this.accepted++;
    this.schedule();
  }

  /** Resolves when every line written so far is in the file (or was dropped). */
  async flush(): Promise<void> {
    // Counted, not "until no drain runs": a server that records all the time would never let that end. A line
    // written in the microtasks between the end of a drain and its promise goes out with the next drain.
    const target = this.accepted;
    while (this.settled < target && this.draining) await this.draining;
  }

  async close(): Promise<void> {
    if (this.closed) return this.flush();
    this.closed = true;
    await this.flush();
    process.off('exit', this.onExit);
    if (this.lost)
      this.onError(new Error(`event log file ${this.path}: closed with ${this.lost.count} record(s) dropped since writing last worked (${this.lost.reason})`));
    try {
      fs.closeSync(this.fd);
    } catch (error) {
      this.onError(error as Error);
    }
  }

  private schedule(): void {
    if (this.draining) return;
    this.draining = new Promise<void>((resolve) => {
      setImmediate(() => {
        void this.drain().finally(() => {
          this.draining = undefined;
          resolve();
          if (this.queued.length > 0) this.schedule();
        });
      });
    });
  }

  /** Writes what is queued now; lines queued meanwhile get the next drain, so that each drain ends and flush() can wait on it. */
  private async drain(): Promise<void> {
    this.planned = this.takeQueue();
    for (let chunk = this.planned.shift(); chunk; chunk = this.planned.shift()) {
      const write = this.begin(chunk);
      this.inFlight = write;
      try {
        await writeAll(this.fd, write.bytes, write.position);
        this.wrote(write);
      } catch (error) {
        this.failed(write, error as PartialWriteError);
      } finally {
        this.inFlight = undefined;
      }
    }
  }

  /**
   * Runs at process exit: the write in flight (again, at its own position,
   * so it is idempotent), then the planned chunks, then the queue.
   */
  private flushSync(): void {
    const inFlight = this.inFlight;
    this.inFlight = undefined;
    const writes = inFlight ? [inFlight] : [];
    const chunks = this.planned.concat(this.takeQueue());
    this.planned = [];
    for (let i = 0; i < writes.length + chunks.length; i++) {
      const write = writes[i] ?? this.begin(chunks[i - writes.length] as Chunk);
      try {
        writeAllSync(this.fd, write.bytes, write.position);
        this.wrote(write);
      } catch (error) {
        this.failed(write, error as PartialWriteError);
      }
    }
  }

  /** Rotates if the chunk asks to, and fixes where its bytes go. */
  private begin(chunk: Chunk): Write {
    if (chunk.rotateFirst) this.rotate();
    const lead = this.startWithNewline;
    this.startWithNewline = false;
    return { chunk, position: this.position, bytes: lead ? Buffer.concat([NEWLINE, chunk.bytes]) : chunk.bytes, lead };
  }

  private wrote(write: Write): void {
    this.position = write.position + write.bytes.length;
    this.settled += write.chunk.lines;
    const lost = this.lost;
    if (!lost) return;
    this.lost = undefined;
    this.reportDrops?.(lost);
  }

  /**
   * A write failed: its records are dropped and counted. The bytes it did
   * write are cut off, so the next record starts where the last whole line
   * ended; if they cannot be, the next record starts on a fresh line.
   */
  private failed(write: Write, error: PartialWriteError): void {
    const { chunk } = write;
    this.settled += chunk.lines;
    this.droppedTotal += chunk.lines;
    const reason = error.message;
    if (this.lost) {
      this.lost.count += chunk.lines;
      this.lost.lastSeq = chunk.lastSeq;
    } else {
      this.lost = { sink: 'file', count: chunk.lines, firstSeq: chunk.firstSeq, lastSeq: chunk.lastSeq, reason };
      this.onError(new Error(`event log file ${this.path}: cannot write (${reason}); dropping records until writing works again`, { cause: error }));
    }
    const written = error.written ?? 0;
    let cutOff = written === 0;
    if (!cutOff) {
      try {
        fs.ftruncateSync(this.fd, write.position);
        cutOff = true;
      } catch {
        this.position = write.position + written;
        this.startWithNewline = true;
      }
    }
    // Nothing of this write stayed: the fresh line it was to start is still owed.
    if (cutOff && write.lead) this.startWithNewline = true;
  }

  private takeQueue(): Chunk[] {
    const chunks = this.plan(this.queued, this.queuedSeqs);
    this.queued = [];
    this.queuedSeqs = [];
    return chunks;
  }

  /** Groups lines into one write per file, marking where rotation comes first. */
  private plan(lines: string[], seqs: number[]): Chunk[] {
    const chunks: Chunk[] = [];
    let size = this.position;
    let first = 0;
    let rotateFirst = false;
    const cut = (end: number) => {
      if (end > first) {
        const bytes = Buffer.from(lines.slice(first, end).join(''));
        chunks.push({ rotateFirst, bytes, lines: end - first, firstSeq: seqs[first] as number, lastSeq: seqs[end - 1] as number });
      }
      first = end;
    };
    for (let i = 0; i < lines.length; i++) {
      const bytes = Buffer.byteLength(lines[i] as string);
      if (size > 0 && size + bytes > this.maxBytes) {
        cut(i);
        rotateFirst = true;
        size = 0;
      }
      size += bytes;
    }
    cut(lines.length);
    return chunks;
  }

  /**
   * Shifts the files and opens a new current one. The old descriptor is
   * closed only once the new one is open; on any failure the sink keeps the
   * file it holds (possibly renamed to `x.1.jsonl`), reports once, and tries
   * again at the next chunk.
   */
  private rotate(): void {
    let next: ReturnType<typeof openLogFile>;
    try {
      const oldest = this.maxFiles - 1;
      if (oldest === 0) {
        fs.rmSync(this.path, { force: true });
      } else {
        fs.rmSync(rotatedPath(this.path, oldest), { force: true });
        for (let n = oldest - 1; n >= 0; n--) {
          const from = rotatedPath(this.path, n);
          if (fs.existsSync(from)) fs.renameSync(from, rotatedPath(this.path, n + 1));
        }
      }
      next = openLogFile(this.path);
    } catch (error) {
      if (!this.rotationFailing) {
        this.rotationFailing = true;
        this.onError(new Error(`event log file ${this.path}: rotation failed (${(error as Error).message}); writing on to the current file`, { cause: error }));
      }
      return;
    }
    this.rotationFailing = false;
    const old = this.fd;
    this.fd = next.fd;
    this.position = next.size;
    this.startWithNewline = next.partial;
    try {
      fs.closeSync(old);
    } catch (error) {
      this.onError(error as Error);
    }
  }

  private warnOnce(error: Error): void {
    if (this.warned) return;
    this.warned = true;
    process.emitWarning(`event log file ${this.path}: ${error.message} (further errors are not reported)`, 'IostateEventLogWarning');
  }
}

/**
 * Opens (creating it if needed) a regular file for positional writes at the
 * end. Not O_APPEND: Linux ignores the position of pwrite on such files, and
 * the exit flush relies on positions. O_NONBLOCK: opening a FIFO without a
 * reader fails at once (ENXIO) instead of waiting for one.
 */
function openLogFile(path: string): { fd: number; size: number; partial: boolean } {
  let fd: number;
  try {
    fd = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_CREAT | (fs.constants.O_NONBLOCK ?? 0), 0o600);
  } catch (error) {
    const kind = (error as NodeJS.ErrnoException).code === 'ENXIO' || (error as NodeJS.ErrnoException).code === 'EISDIR' ? kindOf(path) : undefined;
    if (kind) throw notRegular(path, kind);
    throw new Error(`event log: cannot open ${path} for writing: ${(error as Error).message}`, { cause: error });
  }
  const stat = fs.fstatSync(fd);
  if (!stat.isFile()) {
    fs.closeSync(fd);
    throw notRegular(path, describeKind(stat));
  }
  const size = stat.size;
  return { fd, size, partial: size > 0 && lastByte(path, size) !== 0x0a };
}

function notRegular(path: string, kind: string): Error {
  return new Error(`event log: ${path} is ${kind}, not a regular file; give the event log the path of a regular file (it is created if missing)`);
}

function kindOf(path: string): string | undefined {
  try {
    return describeKind(fs.statSync(path));
  } catch {
    return undefined;
  }
}

function describeKind(stat: fs.Stats): string {
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  if (stat.isDirectory()) return 'a directory';
  return 'a special file';
}

function lastByte(path: string, size: number): number {
  const fd = fs.openSync(path, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  try {
    const byte = Buffer.alloc(1);
    fs.readSync(fd, byte, 0, 1, size - 1);
    return byte[0] as number;
  } finally {
    fs.closeSync(fd);
  }
}

/** A write that failed after `written` of its bytes reached the file. */
type PartialWriteError = Error & { written?: number };

function partial(error: unknown, written: number): PartialWriteError {
  return Object.assign(error as Error, { written });
}

async function writeAll(fd: number, bytes: Buffer, position: number): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += await new Promise<number>((resolve, reject) => {
        fs.write(fd, bytes, offset, bytes.length - offset, position + offset, (error, written) => (error ? reject(error) : resolve(written)));
      });
    } catch (error) {
      throw partial(error, offset);
    }
  }
}

function writeAllSync(fd: number, bytes: Buffer, position: number): void {
  let offset = 0;
  try {
    while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset, position + offset);
  } catch (error) {
    throw partial(error, offset);
  }
}
