/**
 * `iostate replay` on the log file of a real run: one socket recovered after
 * a cut, then cut again past the window. The CLI tells each socket's story
 * with the recovery and the reason it failed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli';
import { client, cutTransport, once, startServer } from './one-node-harness';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('iostate replay explains recovery', () => {
  it('prints a recovered socket with what was replayed, and the new socket with why it was not', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'iostate-recovery-'));
    dirs.push(dir);
    const file = path.join(dir, 'log.jsonl');
    const server = await startServer({ eventLog: { file }, connectionStateRecovery: { maxDisconnectionDuration: 600 } });
    server.io.on('connection', (socket) => {
      if (!socket.recovered) socket.join('news');
    });
    const socket = client(server.port, '/', 150);
    await once(socket, 'connect');
    const firstId = socket.id!;
    server.io.to('news').emit('headline', 1);
    await once(socket, 'headline');
    cutTransport(socket);
    server.io.to('news').emit('headline', 2);
    await once(socket, 'connect');
    expect(socket.recovered).toBe(true);
    socket.io.reconnectionDelay(1000);
    socket.io.reconnectionDelayMax(1000);
    cutTransport(socket);
    await once(socket, 'connect');
    expect(socket.recovered).toBe(false);
    const secondId = socket.id!;
    socket.close();
    await server.close();

    const run = await runCli('replay', file);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    // The replay streams: each connection is told when it ends, so a socket's story is told where it ran.
    const stories = (id: string) => lines.flatMap((line, i) => (line.includes(`socket ${id} on /`) ? [lines[i + 1] ?? ''] : []));
    expect(stories(firstId)).toEqual([
      expect.stringMatching(/^\s+transport close: /),
      expect.stringMatching(/^\s+transport close: .*; recovered at \S+ on connection \S+ after \d+ ms away, 1 missed packet\(s\) replayed$/),
    ]);
    expect(stories(secondId)[0]).toMatch(
      new RegExp(`not recovered at .*\\(a new socket instead of ${firstId}\\): window expired by \\d+ ms: away longer than maxDisconnectionDuration 600 ms`),
    );
    expect(run.stdout).toMatch(new RegExp(`socket ${firstId} recovered on /: 1 missed packet\\(s\\) replayed after \\d+ ms away`));
    expect(run.stdout).toMatch(new RegExp(`socket ${firstId} not recovered on /: window expired by \\d+ ms`));
  });
});
