/**
 * Where a streaming replay writes: text is gathered into chunks and handed
 * to stdout, waiting whenever stdout is behind (a slow pipe), so output
 * never piles up in memory; and a spill buffer for the part of a JSON
 * document that comes after the part being streamed.
 *
 * Each piece is encoded to UTF-8 as it is written and the chunk is handed
 * over as bytes: joining the pieces into one string is ten times dearer once
 * a piece holds a character past Latin-1 (every text block has → or –), and
 * stdout encodes it anyway.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CliIO } from './cli-io';

const CHUNK_BYTES = 64 * 1024;

export class Output {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(private readonly io: CliIO) {}

  write(text: string | Buffer): void {
    const bytes = typeof text === 'string' ? Buffer.from(text) : text;
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  /** Hands the gathered bytes to stdout once there is a chunk of them (or `force`), and waits for stdout if it is behind. */
  async flush(force = false): Promise<void> {
    if (this.size === 0 || (!force && this.size < CHUNK_BYTES)) return;
    this.io.stdout(this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size));
    this.parts = [];
    this.size = 0;
    await this.io.drained?.();
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
