/**
 * `iostate replay big.jsonl | head -1`: the reader of stdout goes away
 * early. The bin must then end quietly with status 0, as Unix filters do,
 * and stop reading the log; not die of EPIPE with a stack trace. The bin
 * runs as a child process whose stdout is a pipe this test closes after the
 * first chunk.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const bin = path.join(__dirname, '..', '..', 'src', 'cli', 'main.ts');
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

const OPEN = {
  protocol: 4,
  transport: 'polling',
  remoteAddress: '203.0.113.5',
  pingInterval: 25000,
  pingTimeout: 20000,
  upgradeTimeout: 10000,
  maxPayload: 1000000,
  upgrades: ['websocket'],
};

/** Log lines of `count` connections that open and close, numbered from `first`. */
function connections(first: number, count: number): string {
  const lines: string[] = [];
  for (let i = first; i < first + count; i++) {
    const base = { seq: 2 * i + 2, ts: 1767268800000 + 2 * i, node: 'n' };
    lines.push(JSON.stringify({ type: 'conn.open', sid: `sid-${i}`, ...OPEN, ...base }));
    lines.push(
      JSON.stringify({ type: 'conn.close', sid: `sid-${i}`, reason: 'transport close', initiator: 'client', transport: 'polling', ...base, seq: base.seq + 1 }),
    );
  }
  return `${lines.join('\n')}\n`;
}

const START = `${JSON.stringify({ type: 'server.start', path: '/socket.io', settings: {}, seq: 1, ts: 1767268799999, node: 'n' })}\n`;

/** Starts `iostate <args>`; closes its stdout once the first output arrives; resolves to how it ended and what it said on stderr. */
function runUntilFirstOutput(args: string[]): { child: ChildProcess; ended: Promise<{ code: number | null; signal: string | null; stderr: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  cleanups.push(() => child.kill());
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.once('data', () => child.stdout!.destroy());
  const ended = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, ended };
}

describe('iostate replay with a reader that closes stdout early', () => {
  it('a log file: exits with status 0 and nothing on stderr', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iostate-closed-stdout-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const log = path.join(dir, 'big.jsonl');
    fs.writeFileSync(log, START + connections(0, 20_000));

    const { ended } = runUntilFirstOutput(['replay', log]);
    expect(await ended).toEqual({ code: 0, signal: null, stderr: '' });
  });

  it('standard input that never ends: stops reading it at its next write and exits with status 0', async () => {
    const { child, ended } = runUntilFirstOutput(['replay', '-']);
    child.stdin!.on('error', () => {}); // EPIPE once the child has stopped reading, as intended
    child.stdin!.write(START);
    // Like `yes | head`: input keeps coming, and stdin is never ended; only the closed stdout can stop the replay.
    let next = 0;
    const feed = setInterval(() => {
      if (!child.stdin!.writable) return;
      child.stdin!.write(connections(next, 500));
      next += 500;
    }, 50);
    cleanups.push(() => clearInterval(feed));
    expect(await ended).toEqual({ code: 0, signal: null, stderr: '' });
    expect(child.stdin!.writableEnded, 'stdin was never ended').toBe(false);
  });
});
