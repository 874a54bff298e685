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
 * - Crash safety: every write holds whole lines. On process exit (including
 *   an uncaught exception) the lines still queued are written synchronously,
 *   each at the position it was meant for, so the write in flight and the
 *   queue land in order. A SIGKILL loses at most the current tick's lines.
 * One process writes a file: each node of a cluster needs its own path.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { LogEvent } from './events';
import type { LogSink } from './sink';

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
}

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
  private fd: number;
  /** Where the next byte goes in the current file. */
  private position: number;
  /** The previous run left a partial last line: start on a fresh line. */
  private startWithNewline: boolean;
  private queued: string[] = [];
  /** Chunks taken from the queue and not yet handed to a write. */
  private planned: Chunk[] = [];
  private inFlight: { position: number; bytes: Buffer } | undefined;
  private draining: Promise<void> | undefined;
  private closed = false;
  private warned = false;
  private readonly onExit = (): void => this.flushSync();

  constructor(options: FileSinkOptions) {
    this.path = options.path;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
    this.onError = options.onError ?? ((error) => this.warnOnce(error));
    const { fd, size, partial } = openForAppend(this.path);
    this.fd = fd;
    this.position = size;
    this.startWithNewline = partial;
    process.on('exit', this.onExit);
  }

  write(event: LogEvent): void {
    if (this.closed) return;
    let line: string;
    try {
      line = JSON.stringify(event) + '\n';
    } catch (error) {
      this.onError(new Error(`event log: event ${event.seq} (${event.type}) cannot be serialised: ${(error as Error).message}`));
      return;
    }
    this.queued.push(line);
    this.schedule();
  }

  /** Resolves when every line written so far is in the file. */
  flush(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.closed) return this.flush();
    this.closed = true;
    await this.flush();
    process.off('exit', this.onExit);
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

  private async drain(): Promise<void> {
    while (this.queued.length > 0) {
      this.planned = this.plan(this.queued);
      this.queued = [];
      for (let chunk = this.planned.shift(); chunk; chunk = this.planned.shift()) {
        try {
          if (chunk.rotateFirst) this.rotate();
          this.inFlight = { position: this.position, bytes: chunk.bytes };
          await writeAll(this.fd, chunk.bytes, this.position);
          this.position += chunk.bytes.length;
        } catch (error) {
          this.onError(error as Error);
        } finally {
          this.inFlight = undefined;
        }
      }
    }
  }

  /**
   * Runs at process exit: the write in flight (again, at its own position,
   * so it is idempotent), then the planned chunks, then the queue.
   */
  private flushSync(): void {
    try {
      if (this.inFlight) {
        writeAllSync(this.fd, this.inFlight.bytes, this.inFlight.position);
        this.position = this.inFlight.position + this.inFlight.bytes.length;
        this.inFlight = undefined;
      }
      const planned = this.planned;
      this.planned = [];
      for (const chunk of planned) this.writeChunkSync(chunk);
      const queued = this.queued;
      this.queued = [];
      for (const chunk of this.plan(queued)) this.writeChunkSync(chunk);
    } catch (error) {
      this.onError(error as Error);
    }
  }

  private writeChunkSync(chunk: Chunk): void {
    if (chunk.rotateFirst) this.rotate();
    writeAllSync(this.fd, chunk.bytes, this.position);
    this.position += chunk.bytes.length;
  }

  /** Groups lines into one write per file, marking where rotation comes first. */
  private plan(lines: string[]): Chunk[] {
    const chunks: Chunk[] = [];
    let size = this.position;
    let current: string[] = [];
    let rotateFirst = false;
    if (this.startWithNewline) {
      current.push('\n');
      size += 1;
      this.startWithNewline = false;
    }
    for (const line of lines) {
      const bytes = Buffer.byteLength(line);
      if (size > 0 && size + bytes > this.maxBytes) {
        if (current.length > 0) chunks.push({ rotateFirst, bytes: Buffer.from(current.join('')) });
        current = [];
        rotateFirst = true;
        size = 0;
      }
      current.push(line);
      size += bytes;
    }
    if (current.length > 0) chunks.push({ rotateFirst, bytes: Buffer.from(current.join('')) });
    return chunks;
  }

  private rotate(): void {
    fs.closeSync(this.fd);
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
    this.fd = openForAppend(this.path).fd;
    this.position = 0;
  }

  private warnOnce(error: Error): void {
    if (this.warned) return;
    this.warned = true;
    process.emitWarning(`event log file ${this.path}: ${error.message} (further errors are not reported)`, 'IostateEventLogWarning');
  }
}

/**
 * Opens (creating it if needed) for positional writes at the end. Not
 * O_APPEND: Linux ignores the position of pwrite on such files, and the exit
 * flush relies on positions.
 */
function openForAppend(path: string): { fd: number; size: number; partial: boolean } {
  let fd: number;
  try {
    fd = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_CREAT, 0o600);
  } catch (error) {
    throw new Error(`event log: cannot open ${path} for writing: ${(error as Error).message}`, { cause: error });
  }
  const size = fs.fstatSync(fd).size;
  return { fd, size, partial: size > 0 && lastByte(path, size) !== 0x0a };
}

function lastByte(path: string, size: number): number {
  const fd = fs.openSync(path, 'r');
  try {
    const byte = Buffer.alloc(1);
    fs.readSync(fd, byte, 0, 1, size - 1);
    return byte[0] as number;
  } finally {
    fs.closeSync(fd);
  }
}

async function writeAll(fd: number, bytes: Buffer, position: number): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await new Promise<{ bytesWritten: number }>((resolve, reject) => {
      fs.write(fd, bytes, offset, bytes.length - offset, position + offset, (error, written) => (error ? reject(error) : resolve({ bytesWritten: written })));
    });
    offset += bytesWritten;
  }
}

function writeAllSync(fd: number, bytes: Buffer, position: number): void {
  let offset = 0;
  while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset, position + offset);
}
