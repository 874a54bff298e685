import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogEvent } from '../../src/log/events';
import { JsonlFileSink, rotatedPath } from '../../src/log/file-sink';
import { parseLog } from '../../src/log/read-log';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iostate-file-sink-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const event = (seq: number, message = `m${seq}`): LogEvent => ({ seq, ts: 1000 + seq, node: 'n', type: 'app.error', message });
const readSeqs = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as LogEvent).seq);

describe('JsonlFileSink', () => {
  it('appends whole lines in order, batching a tick into one write', async () => {
    const file = path.join(dir, 'log.jsonl');
    const sink = new JsonlFileSink({ path: file });
    for (let seq = 1; seq <= 100; seq++) sink.write(event(seq));
    expect(fs.readFileSync(file, 'utf8')).toBe('');
    await sink.flush();
    for (let seq = 101; seq <= 150; seq++) sink.write(event(seq));
    await sink.close();
    expect(readSeqs(file)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(fs.readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
  });

  it('creates its files readable by their owner only (mode 0600), rotated ones too', async () => {
    const file = path.join(dir, 'private.jsonl');
    const lineBytes = Buffer.byteLength(JSON.stringify(event(100)) + '\n');
    const sink = new JsonlFileSink({ path: file, maxBytes: lineBytes * 2 });
    for (let seq = 100; seq < 105; seq++) sink.write(event(seq));
    await sink.close();
    expect(fs.readdirSync(dir).length).toBeGreaterThan(1);
    for (const name of fs.readdirSync(dir)) expect(fs.statSync(path.join(dir, name)).mode & 0o777).toBe(0o600);
  });

  it('appends to an existing file, starting a fresh line after a partial one', async () => {
    const file = path.join(dir, 'log.jsonl');
    fs.writeFileSync(file, JSON.stringify(event(1)) + '\n{"seq":2,"ts":');
    const sink = new JsonlFileSink({ path: file });
    sink.write(event(3));
    await sink.close();
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines).toEqual([JSON.stringify(event(1)), '{"seq":2,"ts":', JSON.stringify(event(3)), '']);
  });

  it('rotates by size, keeping at most maxFiles files and never splitting a line', async () => {
    const file = path.join(dir, 'x.jsonl');
    const lineBytes = Buffer.byteLength(JSON.stringify(event(100)) + '\n');
    const sink = new JsonlFileSink({ path: file, maxBytes: lineBytes * 10, maxFiles: 3 });
    for (let seq = 100; seq < 150; seq++) sink.write(event(seq));
    await sink.flush();
    for (let seq = 150; seq < 155; seq++) sink.write(event(seq));
    await sink.close();
    expect(fs.readdirSync(dir).sort()).toEqual(['x.1.jsonl', 'x.2.jsonl', 'x.jsonl']);
    expect(readSeqs(path.join(dir, 'x.2.jsonl'))).toEqual(range(130, 140));
    expect(readSeqs(path.join(dir, 'x.1.jsonl'))).toEqual(range(140, 150));
    expect(readSeqs(file)).toEqual(range(150, 155));
    for (const name of fs.readdirSync(dir)) expect(fs.statSync(path.join(dir, name)).size).toBeLessThanOrEqual(lineBytes * 10);
  });

  it('puts a line longer than maxBytes alone in its file', async () => {
    const file = path.join(dir, 'x.jsonl');
    const sink = new JsonlFileSink({ path: file, maxBytes: 100, maxFiles: 2 });
    sink.write(event(1, 'short'));
    sink.write(event(2, 'y'.repeat(500)));
    await sink.close();
    expect(readSeqs(rotatedPath(file, 1))).toEqual([1]);
    expect(readSeqs(file)).toEqual([2]);
  });

  it('names rotated files before the extension', () => {
    expect(rotatedPath('/a/b/log.jsonl', 2)).toBe(path.join('/a/b', 'log.2.jsonl'));
    expect(rotatedPath('/a/b/log', 1)).toBe(path.join('/a/b', 'log.1'));
    expect(rotatedPath('/a/b/log.jsonl', 0)).toBe('/a/b/log.jsonl');
  });

  it('fails at construction with a clear error when the file cannot be opened', () => {
    expect(() => new JsonlFileSink({ path: path.join(dir, 'missing', 'log.jsonl') })).toThrow(/event log: cannot open .*missing.*ENOENT/);
  });

  it('refuses a FIFO at once with a clear error, never waiting for a reader', () => {
    const fifo = path.join(dir, 'fifo.jsonl');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'open-sink.ts'), fifo], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(child.signal, 'the sink blocked opening the FIFO').toBeNull();
    expect(child.stdout.trim()).toBe(
      `refused: event log: ${fifo} is a FIFO, not a regular file; give the event log the path of a regular file (it is created if missing)`,
    );
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('refuses a device or a directory as its file', () => {
    expect(() => new JsonlFileSink({ path: '/dev/null' })).toThrow('event log: /dev/null is a character device, not a regular file');
    expect(() => new JsonlFileSink({ path: dir })).toThrow(`event log: ${dir} is a directory, not a regular file`);
  });

  it('after a failed rotation keeps writing to its own file and never touches a descriptor it gave up', async () => {
    const file = path.join(dir, 'x.jsonl');
    const lineBytes = Buffer.byteLength(JSON.stringify(event(100)) + '\n');
    const errors: string[] = [];
    const sink = new JsonlFileSink({ path: file, maxBytes: lineBytes * 2, maxFiles: 2, onError: (error) => errors.push(error.message) });
    // x.1.jsonl is a directory: removing it to make room fails, so the rotation fails.
    fs.mkdirSync(rotatedPath(file, 1));
    for (let seq = 100; seq < 103; seq++) sink.write(event(seq));
    await sink.flush();
    // The app opens a file: it gets the lowest free descriptor, the one a careless sink would have freed.
    const appFile = path.join(dir, 'app.txt');
    const appFd = fs.openSync(appFile, 'w+');
    try {
      fs.writeSync(appFd, 'the app data');
      for (let seq = 103; seq < 106; seq++) sink.write(event(seq));
      await sink.flush();
      expect(readSeqs(file)).toEqual(range(100, 106));
      expect(errors).toEqual([expect.stringMatching(/^event log file .*x\.jsonl: rotation failed \(.*\); writing on to the current file$/)]);
      // Once the obstacle is gone, rotation works again.
      fs.rmdirSync(rotatedPath(file, 1));
      for (let seq = 106; seq < 108; seq++) sink.write(event(seq));
      await sink.close();
      expect(readSeqs(rotatedPath(file, 1))).toEqual(range(100, 106));
      expect(readSeqs(file)).toEqual([106, 107]);
      fs.writeSync(appFd, ', still writable');
      expect(fs.readFileSync(appFile, 'utf8')).toBe('the app data, still writable');
    } finally {
      fs.closeSync(appFd);
    }
  });

  it('writes the events of the tick that crashed the process', async () => {
    const file = path.join(dir, 'crash.jsonl');
    const { code } = await runWriter(file, 'throw');
    expect(code).not.toBe(0);
    expect(readAll(file)).toEqual(range(1, 201));
  });

  it('leaves whole lines in order, at most a cut last line, when the process is killed mid-stream', async () => {
    const file = path.join(dir, 'kill.jsonl');
    await runWriter(file, 'loop', 150);
    // Linux may stop a write between pages on SIGKILL: only the last line of the current file can be cut.
    const files = [rotatedPath(file, 2), rotatedPath(file, 1), file].filter((f) => fs.existsSync(f));
    const seqs = files.flatMap((f) => {
      const { events, problems } = parseLog(fs.readFileSync(f, 'utf8'), f);
      const lastLine = fs.readFileSync(f, 'utf8').split('\n').length;
      expect(problems.filter((p) => f !== file || p.line !== lastLine)).toEqual([]);
      return events.map((e) => e.seq);
    });
    expect(seqs.length).toBeGreaterThan(50);
    expect(seqs).toEqual(range(seqs[0]!, seqs[0]! + seqs.length));
  });
});

/** The seqs of a rotated set, oldest file first, checking each file ends with a whole line. */
function readAll(file: string): number[] {
  const files = [rotatedPath(file, 2), rotatedPath(file, 1), file].filter((f) => fs.existsSync(f));
  return files.flatMap((f) => {
    const text = fs.readFileSync(f, 'utf8');
    expect(text === '' || text.endsWith('\n')).toBe(true);
    return readSeqs(f);
  });
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** Runs the crash writer; with `killAfterMs`, SIGKILLs it that long after it starts writing. */
function runWriter(file: string, mode: 'throw' | 'loop', killAfterMs?: number): Promise<{ code: number | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'crash-writer.ts'), file, mode], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (killAfterMs !== undefined) {
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), killAfterMs));
  }
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code })));
}
