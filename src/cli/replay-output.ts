/**
 * Where a streaming replay writes: text is gathered into chunks and handed
 * to stdout, waiting whenever stdout is behind (a slow pipe), so output
 * never piles up in memory; and a spill buffer for the part of a JSON
 * document that comes after the part being streamed.
 *
 * Each piece is encoded to UTF-8 as it is written, straight into the chunk,
 * and the chunk is handed over as bytes: joining the pieces into one string
 * is ten times dearer once a piece holds a character past Latin-1 (every
 * text block has → or –), and stdout encodes it anyway; encoding each piece
 * into a buffer of its own and joining those costs twice what this does.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CliIO } from './cli-io';

/** Bytes gathered before they go to stdout. */
const CHUNK_BYTES = 64 * 1024;
/** Room for a chunk and the piece that fills it, most of the time. */
const CAPACITY = 2 * CHUNK_BYTES;
/** UTF-8 takes at most 3 bytes for a UTF-16 code unit. */
export const MAX_BYTES_PER_UNIT = 3;
const EMPTY: Buffer = Buffer.alloc(0);

export class Output {
  /** Made when first written to: a chunk read back from the spill file may take its place. */
  private chunk = EMPTY;
  private size = 0;

  constructor(private readonly io: CliIO) {}

  write(text: string | Buffer): void {
    if (typeof text === 'string') {
      this.reserve(text.length * MAX_BYTES_PER_UNIT);
      this.size += this.chunk.write(text, this.size);
    } else if (this.size === 0 && text.length >= CHUNK_BYTES) {
      // A chunk of bytes already (read back from the spill file) goes over as it is.
      this.chunk = text;
      this.size = text.length;
    } else {
      this.reserve(text.length);
      this.size += text.copy(this.chunk, this.size);
    }
  }

  /** Hands the gathered bytes to stdout once there is a chunk of them (or `force`), and waits for stdout if it is behind. */
  async flush(force = false): Promise<void> {
    if (this.size === 0 || (!force && this.size < CHUNK_BYTES)) return;
    // A new chunk each time: stdout may still hold the last one (a pipe writes later).
    this.io.stdout(this.chunk.subarray(0, this.size));
    this.chunk = EMPTY;
    this.size = 0;
    await this.io.drained?.();
  }

  private reserve(bytes: number): void {
    if (this.size + bytes <= this.chunk.length) return;
    const larger = Buffer.allocUnsafe(Math.max(CAPACITY, 2 * this.chunk.length, this.size + bytes));
    this.chunk.copy(larger, 0, 0, this.size);
    this.chunk = larger;
  }
}

const SPILL_CHARS = 256 * 1024;

/**
 * Text kept for later: in memory up to SPILL_CHARS, then in a temporary
 * file, removed once read back (or on `discard`).
 */
export class SpillBuffer {
  private parts: string[] = [];
  private size = 0;
  private file: { path: string; fd: number } | undefined;

  add(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= SPILL_CHARS) this.spill();
  }

  /** Writes everything kept to `output`, in order, then forgets it. */
  async drainTo(output: Output): Promise<void> {
    if (this.file) {
      this.spill();
      const { path: file, fd } = this.file;
      fs.closeSync(fd);
      this.file = undefined;
      try {
        for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
          output.write(chunk as Buffer);
          await output.flush();
        }
      } finally {
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
      }
    }
    for (const part of this.parts) output.write(part);
    this.parts = [];
    this.size = 0;
  }

  discard(): void {
    if (!this.file) return;
    fs.closeSync(this.file.fd);
    fs.rmSync(path.dirname(this.file.path), { recursive: true, force: true });
    this.file = undefined;
  }

  private spill(): void {
    if (!this.file) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iostate-replay-'));
      const file = path.join(dir, 'sockets.json');
      this.file = { path: file, fd: fs.openSync(file, 'w', 0o600) };
    }
    fs.writeSync(this.file.fd, this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}
