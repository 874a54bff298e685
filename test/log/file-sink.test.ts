import { spawn } from 'node:child_process';
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
