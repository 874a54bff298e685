/**
 * `iostate replay`, run in-process through main(argv, io) on a fixture log
 * (five clients, each ending differently), and once as a child process
 * through `node --import tsx src/cli/main.ts` to check the bin itself.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli as run } from './run-cli';
import type { ReplayJson } from '../../src/log/replay';

const fixture = path.join(__dirname, 'fixtures', 'chat.jsonl');

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iostate-cli-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('iostate replay --json', () => {
  it('gives each connection and socket its live reason, transports and explanation', async () => {
    const { code, stdout, stderr } = await run('replay', fixture, '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as ReplayJson;
    const reasons = Object.fromEntries(json.connections.map((c) => [c.id, [c.reason, c.transports, c.explanation]]));
    expect(reasons).toEqual({
      'A-sid': ['ping timeout', ['polling', 'websocket'], 'ping timeout: last pong 12:00:51.020, ping sent 12:01:16.000, no pong within pingTimeout 20000 ms'],
      'B-sid': ['forced close', ['polling'], 'forced close: the server closed the connection after socket.disconnect(true) on /'],
      'C-sid': [
        'transport error',
        ['polling', 'websocket'],
        'transport error: message of 1048577 bytes exceeds maxHttpBufferSize 1000000 with code 1009 (message too big)',
      ],
      'D-sid': ['transport close', ['websocket'], 'transport close: websocket closed by the client with code 1001 (going away)'],
      'E-sid': ['server shutting down', ['polling'], 'server shutting down: io.close() called'],
    });
    const b = json.sockets.find((s) => s.id === 'B-sid')!;
    expect(b).toEqual({
      id: 'B-sid',
      nsp: '/',
      connection: 'B-sid',
      state: 'disconnected',
      reason: 'server namespace disconnect',
      explanation: 'server namespace disconnect: socket.disconnect() called by the application',
      rooms: ['B-sid', 'lobby'],
      connectedAt: '2026-01-01T12:00:02.010Z',
      disconnectedAt: '2026-01-01T12:00:30.000Z',
    });
    expect(json.connections.find((c) => c.id === 'A-sid')?.sockets).toEqual(['A-socket']);
  });

  it('filters with --sid and gives the state --at a time of day', async () => {
    const { code, stdout } = await run('replay', fixture, '--json', '--sid', 'A-sid', '--at', '12:00:35');
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as ReplayJson;
    expect(json.at).toBe('2026-01-01T12:00:35.000Z');
    expect(json.connections.map((c) => [c.id, c.state, c.reason])).toEqual([['A-sid', 'open', null]]);
    expect(json.sockets.map((s) => [s.id, s.state, s.rooms])).toEqual([['A-socket', 'connected', ['A-socket', 'lobby']]]);
  });

  it('accepts --at as milliseconds and as an ISO date', async () => {
    const at = Date.UTC(2026, 0, 1, 12, 0, 2, 20);
    const byMs = JSON.parse((await run('replay', fixture, '--json', '--at', String(at))).stdout) as ReplayJson;
    const byIso = JSON.parse((await run('replay', fixture, '--json', '--at', '2026-01-01T12:00:02.020Z')).stdout) as ReplayJson;
    expect(byMs).toEqual(byIso);
    expect(byMs.connections.map((c) => c.id)).toEqual(['A-sid', 'B-sid']);
  });
});

describe('iostate replay (human output)', () => {
  it('prints rooms, connections with explanations, sockets and collapsed heartbeats', async () => {
    const { code, stdout } = await run('replay', fixture, '--at', '12:00:35');
    expect(code).toBe(0);
    expect(stdout).toContain('State at 2026-01-01T12:00:35.000Z');
    expect(stdout).toMatch(/^Replaying .*chat\.jsonl: each connection as it ends, then those still open at 2026-01-01T12:00:35\.000Z\n/);
    // Ended ones as they end, then the open ones in the order they opened.
    expect(stdout.indexOf('  B-sid  closed')).toBeLessThan(stdout.indexOf('Open at 2026-01-01T12:00:35.000Z'));
    expect(stdout.indexOf('Open at 2026-01-01T12:00:35.000Z')).toBeLessThan(stdout.indexOf('  A-sid  open'));
    expect(stdout.indexOf('  A-sid  open')).toBeLessThan(stdout.indexOf('  C-sid  open'));
    expect(stdout).toContain('    lobby: A-socket\n');
    expect(stdout).toContain('  A-sid  open  polling → websocket  Engine.IO v4  from 203.0.113.5  since 12:00:01.000  on chat-1');
    expect(stdout).toContain('    forced close: the server closed the connection after socket.disconnect(true) on /');
    expect(stdout).toContain('    socket B-sid on /  disconnected  12:00:02.010 – 12:00:30.000  rooms: B-sid, lobby');
    expect(stdout).toContain('12:00:02.050  connection to /admin refused: not authorized');

    const full = (await run('replay', fixture)).stdout;
    expect(full).toContain('12:00:26.000 … 12:01:16.000  5 heartbeats, the last: ping sent');
    expect(full).toContain('\n  12:02:00.001  server closed (chat-1)\n');
    expect(full).toContain('  12:00:00.000  server started on /socket.io (chat-1)\n');
  });
});

describe('iostate replay errors', () => {
  it('reports bad lines with their numbers and replays the rest', async () => {
    const lines = fs.readFileSync(fixture, 'utf8').split('\n');
    lines.splice(2, 0, '{"broken":');
    const file = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(file, lines.join('\n'));
    const { code, stdout, stderr } = await run('replay', file, '--json');
    expect(code).toBe(0);
    expect(stderr).toBe(`${file}:3: not JSON\n`);
    expect((JSON.parse(stdout) as ReplayJson).connections).toHaveLength(5);
  });

  it('reports and skips a line whose ts is out of range, in replay and inspect alike', async () => {
    const lines = fs.readFileSync(fixture, 'utf8').trimEnd().split('\n');
    // Copies of the fixture's first connection, stamped with times no writer of this file gave.
    const open = JSON.parse(lines.find((line) => line.includes('"conn.open"'))!) as Record<string, unknown>;
    const stamped = (ts: number, sid: string) => JSON.stringify({ ...open, sid, ts, seq: 900 + lines.length });
    const bad = [
      stamped(-5, 'before-the-epoch'),
      stamped(1e17, 'beyond-any-date'),
      stamped(Date.UTC(10000, 0, 1), 'year-10000'),
      stamped(1000, 'nineteen-seventy'),
      stamped(Date.UTC(2100, 0, 1), 'twenty-one-hundred'),
      '{"type":"nsp.create","nsp":"/x","seq":999,"ts":1e999,"node":"chat-1"}',
    ];
    const at = [5, 10, 15, 20, 25, 30];
    bad.forEach((line, i) => lines.splice(at[i]! - 1, 0, line));
    const file = path.join(dir, 'times.jsonl');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);

    const text = await run('replay', file);
    expect(text.code).toBe(0);
    const reported = text.stderr.trimEnd().split('\n');
    expect(reported.map((line) => Number(line.slice(file.length + 1).split(':')[0]))).toEqual(at);
    // One rule for files and a cluster's stream: after 2000, at most a day ahead of this clock, a number a Date holds.
    expect(reported.map((line) => line.slice(line.indexOf(': ') + 2))).toEqual([
      'ts -5 out of range (after 2000-01-01, at most a day ahead of this clock)',
      'ts 100000000000000000 out of range (after 2000-01-01, at most a day ahead of this clock)',
      `ts ${Date.UTC(10000, 0, 1)} out of range (after 2000-01-01, at most a day ahead of this clock)`,
      'ts 1000 out of range (after 2000-01-01, at most a day ahead of this clock)',
      `ts ${Date.UTC(2100, 0, 1)} out of range (after 2000-01-01, at most a day ahead of this clock)`,
      'not an event (ts: Invalid input: expected number, received Infinity)',
    ]);
    for (const sid of ['before-the-epoch', 'beyond-any-date', 'year-10000', 'nineteen-seventy', 'twenty-one-hundred']) expect(text.stdout).not.toContain(sid);
    expect(text.stdout).toMatch(/\nReplayed 41 events from /);

    const json = await run('replay', file, '--json');
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as ReplayJson).connections).toHaveLength(5);
    const inspect = await run('inspect', file, '-o', '-');
    expect(inspect.code).toBe(0);
    expect(inspect.stderr).toBe(text.stderr);
    expect(inspect.stdout).toContain('2026-01-01T12:00:00.000Z →');
  });

  it.each([
    [['replay'], 2, /no log file given/],
    [['replay', fixture, '--bogus'], 2, /Unknown option '--bogus'/],
    [['replay', fixture, '--at', 'yesterday'], 2, /--at yesterday: expected milliseconds/],
    [['replay', fixture, '--at', '25:00'], 2, /not a time of day/],
    [['replay', fixture, '--sid', 'nobody'], 1, /no connection or socket with id nobody/],
    [['replay', fixture, '--sid', '-dash'], 2, /To specify an option argument starting with a dash use '--sid=-XYZ'/],
    [['replay', fixture, '--sid=-dash'], 1, /no connection or socket with id -dash/],
    [['replay', '/nonexistent/log.jsonl'], 1, /cannot read: ENOENT[\s\S]*no events in/],
    [['frobnicate'], 2, /unknown command "frobnicate"/],
    [['help', 'toString'], 2, /unknown command "toString"/],
  ])('%j exits %i with a clear message', async (argv, exit, message) => {
    const { code, stderr } = await run(...argv);
    expect(code).toBe(exit);
    expect(stderr).toMatch(message);
  });
});

describe('iostate help', () => {
  it("lists the commands, and shows a command's usage", async () => {
    const overview = await run('help');
    expect(overview.code).toBe(0);
    expect(overview.stdout).toMatch(/^Usage: iostate <command>/);
    expect(overview.stdout).toMatch(/\n {2}replay +replay an event log/);
    expect((await run()).stdout).toBe(overview.stdout);
    const replayHelp = await run('help', 'replay');
    expect(replayHelp.stdout).toMatch(/^Usage: iostate replay <log\.jsonl\.\.\.> \[--sid ID\] \[--at TIME\] \[--json\] \[filters\] \[--summary\] \[--follow\]/);
    expect((await run('replay', '--help')).stdout).toBe(replayHelp.stdout);
  });
});

describe('the iostate bin', () => {
  it("runs as a child process and exits with the command's code", async () => {
    const bin = path.join(__dirname, '..', '..', 'src', 'cli', 'main.ts');
    const exec = (args: string[]) =>
      new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(process.execPath, ['--import', 'tsx', bin, ...args], (error, stdout) => resolve({ code: error ? Number(error.code) : 0, stdout }));
      });
    const ok = await exec(['replay', fixture, '--json', '--sid', 'D-sid']);
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as ReplayJson).connections[0]?.reason).toBe('transport close');
    expect((await exec(['replay', fixture, '--sid', 'nobody'])).code).toBe(1);
    expect(fs.readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});
