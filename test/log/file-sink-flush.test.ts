/**
 * The file sink's flush() resolves only once every line written before it is
 * in the file, whenever that line came: also in the few microtasks between the
 * end of a drain and the next one. `node:fs` writes call a hook right after
 * their callback, which writes and flushes at every microtask depth from there.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LogEvent } from '../../src/log/events';
import { JsonlFileSink } from '../../src/log/file-sink';
import { flushUnderSteadyWrites } from './steady-writer';

const hooks = vi.hoisted(() => ({ afterWrite: undefined as (() => void) | undefined }));

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return {
    ...real,
    write(fd: number, buffer: Buffer, offset: number, length: number, position: number, callback: (error: Error | null, written: number) => void) {
      real.write(fd, buffer, offset, length, position, (error, written) => {
        callback(error, written);
        const hook = hooks.afterWrite;
        hooks.afterWrite = undefined;
        hook?.();
      });
    },
  };
});

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iostate-file-flush-'));
});
afterEach(() => {
  hooks.afterWrite = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

const event = (seq: number): LogEvent => ({ seq, ts: 1000 + seq, node: 'n', type: 'app.error', message: `line ${seq}` });

/** Runs `action` after `depth` microtasks. */
function afterMicrotasks(depth: number, action: () => void): void {
  if (depth === 0) return action();
  queueMicrotask(() => afterMicrotasks(depth - 1, action));
}

describe('JsonlFileSink.flush', () => {
  it('waits for a line written while the drain before it was ending, at every microtask depth', async () => {
    for (let depth = 0; depth <= 12; depth++) {
      const file = path.join(dir, `depth-${depth}.jsonl`);
      const sink = new JsonlFileSink({ path: file });
      const flushed = new Promise<string>((resolve) => {
        hooks.afterWrite = () =>
          afterMicrotasks(depth, () => {
            sink.write(event(2));
            void sink.flush().then(() => resolve(fs.readFileSync(file, 'utf8')));
          });
      });
      sink.write(event(1));
      const text = await flushed;
      expect(text.split('\n').filter(Boolean).length, `a line written ${depth} microtask(s) after a write`).toBe(2);
      await sink.close();
    }
  });

  it('ends under a writer that never stops, once the lines written before it are in the file', async () => {
    const file = path.join(dir, 'steady.jsonl');
    const sink = new JsonlFileSink({ path: file });
    const before = await flushUnderSteadyWrites(sink, event);
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(before);
    await sink.close();
  });
});
