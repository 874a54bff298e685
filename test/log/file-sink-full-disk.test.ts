/**
 * The file sink on a full disk. `node:fs` writes go through a pretend disk
 * with `free` bytes left: a write larger than that writes what fits, then
 * fails with ENOSPC, as a real full file system does.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventLog } from '../../src/log/event-log';
import type { LogEvent } from '../../src/log/events';
import { JsonlFileSink } from '../../src/log/file-sink';

const disk = vi.hoisted(() => ({ free: Infinity, truncateFails: false }));

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
  const take = (length: number): number => {
    const n = Math.min(length, disk.free);
    disk.free -= n;
    return n;
  };
  return {
    ...real,
    write(fd: number, buffer: Buffer, offset: number, length: number, position: number, callback: (error: Error | null, written: number) => void) {
      const n = take(length);
      if (n === 0) return process.nextTick(callback, enospc(), 0);
      real.write(fd, buffer, offset, n, position, callback);
    },
    writeSync(fd: number, buffer: Buffer, offset: number, length: number, position: number) {
      const n = take(length);
      if (n === 0) throw enospc();
      return real.writeSync(fd, buffer, offset, n, position);
    },
    ftruncateSync(fd: number, length: number) {
      if (disk.truncateFails) throw Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' });
      real.ftruncateSync(fd, length);
    },
  };
});

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iostate-full-disk-'));
  disk.free = Infinity;
  disk.truncateFails = false;
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const error = (message: string) => ({ type: 'app.error', message }) as const;

/** No line holds a record that another record follows: `{"seq":` only ever starts a line. */
function expectLineIntegrity(text: string): void {
  for (const line of text.split('\n')) expect(line.lastIndexOf('{"seq":')).toBeLessThanOrEqual(0);
}

async function fillThenFree(file: string): Promise<{ log: EventLog; sink: JsonlFileSink; errors: string[] }> {
  const errors: string[] = [];
  const sink = new JsonlFileSink({ path: file, onError: (e) => errors.push(e.message) });
  const log = new EventLog({ node: 'n', sinks: [sink] });
  for (let i = 1; i <= 10; i++) log.record(error(`before ${i}`));
  await log.flush();
  // Room for a record and a half: the next write is cut mid-line, then the disk is full.
  disk.free = Math.floor((fs.statSync(file).size / 10) * 1.5);
  for (let i = 1; i <= 10; i++) log.record(error(`while full ${i}`));
  await log.flush();
  for (let i = 11; i <= 15; i++) log.record(error(`while full ${i}`));
  await log.flush();
  disk.free = Infinity;
  for (let i = 1; i <= 5; i++) log.record(error(`after ${i}`));
  await log.flush();
  await log.close();
  return { log, sink, errors };
}

describe('JsonlFileSink on a full disk', () => {
  it('drops whole records, cuts off a partial one, counts them and says so once writing resumes', async () => {
    const file = path.join(dir, 'log.jsonl');
    const { sink, errors } = await fillThenFree(file);
    const text = fs.readFileSync(file, 'utf8');
    expectLineIntegrity(text);
    const events = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogEvent);
    expect(events.map((e) => (e.type === 'app.error' ? e.message : e.type))).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `before ${i + 1}`),
      ...Array.from({ length: 5 }, (_, i) => `after ${i + 1}`),
      'log.dropped',
    ]);
    expect(events.at(-1)).toMatchObject({
      type: 'log.dropped',
      sink: 'file',
      count: 15,
      firstSeq: 11,
      lastSeq: 25,
      reason: 'ENOSPC: no space left on device, write',
    });
    expect(sink.dropped).toBe(15);
    expect(errors).toEqual([expect.stringMatching(/cannot write \(ENOSPC: no space left on device, write\); dropping records until writing works again$/)]);
  });

  it('starts the next record on a fresh line when the partial one cannot be cut off', async () => {
    const file = path.join(dir, 'log.jsonl');
    disk.truncateFails = true;
    await fillThenFree(file);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expectLineIntegrity(lines.join('\n'));
    const broken = lines.filter((line) => {
      try {
        JSON.parse(line || '{}');
        return false;
      } catch {
        return true;
      }
    });
    expect(broken).toHaveLength(1);
    // The cut write held a whole record and half of the next: the half stays, alone on its line.
    const at = lines.indexOf(broken[0]!);
    expect(broken[0]).toMatch(/^\{"type":"app\.error","message":"wh/);
    expect(JSON.parse(lines[at + 1]!)).toMatchObject({ type: 'app.error', message: 'after 1' });
  });
});
