/**
 * `iostate inspect` in-process through main(), and `iostate serve` as the
 * real bin in a child process (`node --import tsx src/cli/main.ts serve`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { runCli as run } from '../cli/run-cli';
import type { InspectSnapshot } from '../../src/inspect/snapshot';
import { chatLog } from './fixture';

const bin = path.join(__dirname, '..', '..', 'src', 'cli', 'main.ts');
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'iostate-inspect-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('iostate inspect', () => {
  it('writes one self-contained timeline with every connection and its cause', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'chat.jsonl');
    writeFileSync(
      log,
      chatLog()
        .map((event) => JSON.stringify(event))
        .join('\n') + '\n',
    );
    const out = path.join(dir, 'timeline.html');
    const result = await run('inspect', log, '-o', out);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`wrote ${out}`);
    const html = readFileSync(out, 'utf8');
    expect(html.match(/class="lanes-card"/g)).toHaveLength(5);
    expect(html).toContain('ping timeout: last pong 12:00:29.020');
    expect(html).toContain(log);
  });

  it('reports bad lines and keeps going; --sid draws one connection; "-" writes to stdout', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'chat.jsonl');
    writeFileSync(
      log,
      `${chatLog()
        .map((event) => JSON.stringify(event))
        .join('\n')}\n{"type":"nope"}\n`,
    );
    const result = await run('inspect', log, '--sid', 'c-timeout', '-o', '-');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/chat\.jsonl:\d+: not an event \(unknown type\)/);
    expect(result.stdout.match(/class="lanes-card"/g)).toHaveLength(1);
    expect(result.stdout).toContain('id="conn-c-timeout"');
  });

  it('fails clearly on bad usage and on missing input', async () => {
    expect((await run('inspect')).code).toBe(2);
    expect((await run('inspect', 'x.jsonl', '--max', '0')).stderr).toContain('--max must be a positive integer');
    const missing = await run('inspect', path.join(tempDir(), 'missing.jsonl'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read');
    const dir = tempDir();
    const log = path.join(dir, 'chat.jsonl');
    writeFileSync(
      log,
      chatLog()
        .map((event) => JSON.stringify(event))
        .join('\n'),
    );
    expect((await run('inspect', log, '--sid', 'nobody', '-o', '-')).stderr).toContain('no connection with id nobody');
    expect((await run('help')).stdout).toMatch(/inspect .*\n.*serve /s);
  });
});

describe('iostate serve', () => {
  it('serves the chat, the client bundle and the inspector on localhost, and stops on SIGTERM', async () => {
    const dir = tempDir();
    const logFile = path.join(dir, 'demo.jsonl');
    const child = spawn(process.execPath, ['--import', 'tsx', bin, 'serve', '--port', '0', '--log', logFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => child.exitCode === null && child.kill('SIGKILL'));
    let output = '';
    child.stderr.on('data', (chunk) => (output += chunk));
    const base = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        output += chunk;
        const match = /demo chat\s+(http:\/\/\S+?)\/\n/.exec(output);
        if (match && output.includes('Ctrl+C to stop')) resolve(match[1]!);
      });
      child.once('exit', () => reject(new Error(`serve exited early:\n${output}`)));
    });
    expect(base).toMatch(/^http:\/\/localhost:\d+$/);
    expect(output).toContain(`inspector           ${base}/iostate/`);
    const local = base.replace('localhost', '127.0.0.1');

    const page = await fetch(`${local}/`);
    expect(await page.text()).toContain('<script src="/socket.io/v4/socket.io.js"></script>');
    expect((await fetch(`${local}/socket.io/v4/socket.io.js`)).status).toBe(200);

    const client = connect(local, { forceNew: true, reconnection: false });
    cleanups.push(() => client.close());
    const rooms = await new Promise<{ name: string; members: number }[]>((resolve) => client.once('rooms', resolve));
    expect(rooms.map((room) => room.name)).toEqual(['general', 'random', 'help']);
    client.emit('join', 'general');
    const heard = new Promise((resolve) => client.once('message', resolve));
    client.emit('say', { room: 'general', name: 'tester', text: 'hello' });
    expect(await heard).toMatchObject({ room: 'general', name: 'tester', text: 'hello' });

    const snapshot = (await (await fetch(`${local}/iostate/snapshot`)).json()) as InspectSnapshot;
    expect(snapshot.sockets.find((socket) => socket.id === client.id)!.rooms).toContain('general');

    client.close();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(readFileSync(logFile, 'utf8')).toContain('"room":"general"');
  });

  it('refuses a bad port', async () => {
    const result = await run('serve', '--port', 'eighty');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the port must be a number');
  });
});
