/**
 * `iostate replay`'s ways of finding the story in a big log: --summary, the
 * filters, --limit, --follow and standard input, the cap on bad lines; and
 * that the replay streams: a connection is printed while the log is still
 * being read.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReplayJson } from '../../src/log/replay';
import { followUntil, runCli as run, runCliWith } from './run-cli';
import { jsonl, storyLog } from './replay-story';

let dir: string;
let a: string;
let b: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iostate-replay-flags-'));
  const log = storyLog();
  a = path.join(dir, 'a.jsonl');
  b = path.join(dir, 'b.jsonl');
  fs.writeFileSync(a, jsonl(log.a));
  fs.writeFileSync(b, jsonl(log.b));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The connection ids of a --json replay. */
async function ids(...flags: string[]): Promise<string[]> {
  const { code, stdout, stderr } = await run('replay', a, b, '--json', ...flags);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return (JSON.parse(stdout) as ReplayJson).connections.map((c) => c.id).sort();
}

describe('iostate replay --summary', () => {
  it('counts by reason with the evidence, by transport, protocol, node and minute with the reasons, and each node start once', async () => {
    const { code, stdout } = await run('replay', a, b, '--summary');
    expect(code).toBe(0);
    const section = (title: string) => stdout.split(`\n${title}`)[1]!.split('\n\n')[0]!.trimEnd().split('\n').slice(1);
    expect(stdout).toMatch(/^Summary of 36 events from .*a\.jsonl, .*b\.jsonl, to the end of the log\n5 connections \(1 open\), 5 sockets\n/);
    expect(section('Nodes')).toEqual(['  node-a  started 12:00:00.000', '  node-b  started 12:00:00.000']);
    expect(section('By reason, with the evidence')).toEqual([
      '  ping timeout           3  e.g. --sid b1',
      '            2  last pong …, ping sent …, no pong within pingTimeout 20000 ms',
      '            1  no ping from the client since the connection opened at …, none within pingInterval + pingTimeout 45000 ms',
      '  open                   1  e.g. --sid b3',
      '            1  still open',
      '  transport close        1  e.g. --sid a1',
      '            1  polling closed by the client',
    ]);
    expect(section('By node, with the reasons')).toEqual([
      '  node-b        3  e.g. --sid b1',
      '            2  ping timeout',
      '            1  open',
      '  node-a        2  e.g. --sid a1',
      '            1  ping timeout',
      '            1  transport close',
    ]);
    expect(section('By minute they ended (UTC), with the reasons and nodes')).toEqual([
      '  2026-01-01 12:02        3  e.g. --sid b1',
      '            2  ping timeout on node-b',
      '            1  ping timeout on node-a',
      '  2026-01-01 12:01        1  e.g. --sid a1',
      '            1  transport close on node-a',
    ]);
    expect(section('By protocol, with the reasons')[0]).toBe('  Engine.IO v4        4  e.g. --sid a1');
    expect(section('By transport, with the reasons')[0]).toBe('  polling        5  e.g. --sid a1');
  });

  it('obeys the filters, keeps --limit rows per table, and gives JSON with --json', async () => {
    const { stdout } = await run('replay', a, b, '--summary', '--node', 'node-b', '--limit', '1', '--json');
    const summary = JSON.parse(stdout) as {
      connections: number;
      byReason: { value: string; count: number; top: { value: string; count: number }[] }[];
      starts: Record<string, string[]>;
    };
    expect(summary.connections).toBe(3);
    expect(summary.byReason).toEqual([
      {
        value: 'ping timeout',
        count: 2,
        example: 'b1',
        top: [{ value: 'last pong …, ping sent …, no pong within pingTimeout 20000 ms', count: 1 }, expect.anything()],
      },
    ]);
    expect(summary.starts).toEqual({ 'node-b': ['2026-01-01T12:00:00.000Z'] });
    const text = await run('replay', a, b, '--summary', '--limit', '1');
    expect(text.stdout).toContain('  … and 2 more\n');
  });

  it('shows a node that started again, and loses its connections', async () => {
    const restarted = path.join(dir, 'restart.jsonl');
    const events = storyLog().b.filter((e) => e.ts < Date.UTC(2026, 0, 1, 12, 0, 10));
    const last = events[events.length - 1]!;
    events.push({ type: 'server.start', path: '/socket.io', settings: {}, seq: 1, ts: last.ts + 1000, node: 'node-b' });
    fs.writeFileSync(restarted, jsonl(events));
    const { stdout } = await run('replay', restarted, '--summary');
    expect(stdout).toContain('  node-b  started 12:00:00.000, started again 12:00:06.005 (its open connections lost)\n');
    expect(stdout).toMatch(/\n {2}lost +3 {2}e\.g\. --sid b1\n {12}3 {2}no close recorded: node node-b restarted at …\n/);
  });
});

describe('iostate replay filters', () => {
  it.each([
    [
      ['--reason', 'ping timeout'],
      ['a2', 'b1', 'b2'],
    ],
    [
      ['--reason', 'transport close', '--reason', 'open'],
      ['a1', 'b3'],
    ],
    [
      ['--node', 'node-a'],
      ['a1', 'a2'],
    ],
    [['--nsp', '/admin'], ['a2']],
    [['--room', 'lobby'], ['a1']],
    [
      ['--room', 'vip', '--room', 'lobby'],
      ['a1', 'b1'],
    ],
    [['--label', 'bob'], ['b1']],
    [
      ['--since', '12:02:06'],
      ['a2', 'b2', 'b3'],
    ],
    [
      ['--until', '12:02:06'],
      ['a1', 'a2', 'b1', 'b2', 'b3'],
    ],
    [['--since', '12:02:00', '--until', '12:02:06', '--reason', 'ping timeout'], ['b1']],
    [['--sid', 'b2-s'], ['b2']],
    [['--node', 'node-a', '--reason', 'ping timeout', '--nsp', '/admin'], ['a2']],
    [['--label', 'nobody'], []],
  ])('%j keeps %j', async (flags, expected) => {
    expect(await ids(...flags)).toEqual(expected);
  });

  it('--until stops the replay there: what ended later is open', async () => {
    const { stdout } = await run('replay', a, b, '--json', '--until', '12:02:06');
    const json = JSON.parse(stdout) as ReplayJson;
    expect(json.at).toBe('2026-01-01T12:02:06.000Z');
    expect(Object.fromEntries(json.connections.map((c) => [c.id, c.state]))).toEqual({ a1: 'closed', a2: 'open', b1: 'closed', b2: 'open', b3: 'open' });
  });

  it('--limit prints the first N and says how many more matched; server lines follow --node', async () => {
    const { code, stdout } = await run('replay', a, b, '--limit', '2', '--node', 'node-b');
    expect(code).toBe(0);
    expect(stdout.match(/^ {2}b\d {2}/gm)).toEqual(['  b1  ', '  b2  ']);
    expect(stdout).toContain('\n… and 1 more connection (raise --limit to see them)\n');
    expect(stdout).toContain(': 3 connections (1 open), 3 sockets\n');
    expect(stdout).toContain('server started on /socket.io (node-b)');
    expect(stdout).not.toContain('(node-a)');
  });

  it('prints labels after the ids, and --label finds the connection', async () => {
    const { stdout } = await run('replay', a, b, '--label', 'alice');
    expect(stdout).toContain('  a1  "alice"  closed  polling');
    expect(stdout).toContain('    socket a1-s on /  "alice"  disconnected');
    expect(stdout).toContain('socket a1-s connected to / (Socket.IO v5), label "alice"');
  });

  it.each([
    [['--limit', '0'], /--limit must be a positive integer, got "0"/],
    [['--since', 'soon'], /--since soon: expected milliseconds/],
    [['--until', '24:00'], /--until 24:00: not a time of day/],
    [['--follow'], /--follow reads one file, or - for standard input/],
  ])('%j exits 2 with a clear message', async (flags, message) => {
    const { code, stderr } = await run('replay', a, b, ...flags);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});

describe('bad lines', () => {
  it('shows the first ten, then how many more', async () => {
    const file = path.join(dir, 'noisy.jsonl');
    const garbage = Array.from({ length: 50_000 }, (_, i) => `garbage ${i}`).join('\n');
    fs.writeFileSync(file, `${garbage}\n${jsonl(storyLog().a)}`);
    const { code, stdout, stderr } = await run('replay', file, '--json');
    expect(code).toBe(0);
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe(`${file}:1: not JSON`);
    expect(lines[9]).toBe(`${file}:10: not JSON`);
    expect(lines[10]).toBe('… and 49,990 more bad lines or entries, skipped');
    expect((JSON.parse(stdout) as ReplayJson).connections).toHaveLength(2);
  });

  it('skips a line with a number no Date holds (lastPongAt 1e300) instead of crashing', async () => {
    const file = path.join(dir, 'hostile.jsonl');
    const events = storyLog().b.map((e) => (e.type === 'conn.close' && e.sid === 'b1' ? { ...e, lastPongAt: 1e300 } : e));
    fs.writeFileSync(file, jsonl(events));
    for (const flags of [[], ['--json'], ['--summary']]) {
      const { code, stderr } = await run('replay', file, ...flags);
      expect(code).toBe(0);
      expect(stderr).toMatch(/^.*hostile\.jsonl:\d+: lastPongAt 1e\+300 out of range \(after 2000-01-01, at most a day ahead of this clock\)\n$/);
    }
  });
});

describe('streaming', () => {
  it('reads standard input with -', async () => {
    const input = new PassThrough();
    input.end(jsonl(storyLog().a));
    const { code, stdout } = await runCliWith({ stdin: input }, 'replay', '-', '--json');
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as ReplayJson).connections.map((c) => c.id)).toEqual(['a1', 'a2']);
  });

  it('prints a connection once it has ended, while the rest of the log has not been written yet', async () => {
    const input = new PassThrough();
    const events = storyLog().a;
    const cut = events.findIndex((e) => e.type === 'conn.close' && e.sid === 'a1') + 1;
    input.write(jsonl(events.slice(0, cut)));
    let printed = '';
    const replayed = runCliWith({ stdin: input, onStdout: (stdout) => void (printed = stdout) }, 'replay', '-', '--follow');
    // a1 is printed before the log goes on: the replay does not wait for the end of its input.
    await until(() => printed.includes('  a1  "alice"  closed'));
    expect(printed).not.toContain('a2');
    input.end(jsonl(events.slice(cut)));
    const { code, stdout } = await replayed;
    expect(code).toBe(0);
    expect(stdout.indexOf('  a1  "alice"  closed')).toBeLessThan(stdout.indexOf('  a2  closed'));
    expect(stdout).toContain(': 2 connections (0 open), 2 sockets\n');
  });

  it('--follow tails a file that is still being written, and Ctrl-C ends it as the end of the log', async () => {
    const live = path.join(dir, 'live.jsonl');
    const events = storyLog().b;
    const cut = events.findIndex((e) => e.type === 'socket.disconnect' && e.sid === 'b1') + 1;
    fs.writeFileSync(live, jsonl(events.slice(0, cut)));
    let appended = false;
    const { code, stdout } = await followUntil(
      (stdout) => {
        if (stdout.includes('  b1  "bob"  closed') && !appended) {
          appended = true;
          fs.appendFileSync(live, jsonl(events.slice(cut)));
        }
        return stdout.includes('  b2  closed');
      },
      {},
      'replay',
      live,
      '--follow',
    );
    expect(code).toBe(0);
    expect(stdout).toContain('\nOpen at the end of the log\n\n  b3  open');
    expect(stdout).toMatch(/\nReplayed \d+ events from .*live\.jsonl: 3 connections \(1 open\), 3 sockets\n/);
  });
});

/** Waits for `condition`, checking every 20 ms (the test's timeout bounds it). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}
