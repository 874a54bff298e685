/**
 * `iostate replay --redis` and `iostate inspect --redis`: the fixture log is
 * written into a real Redis stream by RedisStreamSink, as a cluster's nodes
 * write it, then read back by the commands in-process through main(). The
 * usage errors, an unreachable Redis and which modules load need no Redis.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { followUntil, runCli as run } from './run-cli';
import type { LogEvent } from '../../src/log/events';
import { parseLog } from '../../src/log/read-log';
import { RedisStreamSink } from '../../src/log/redis-stream-sink';
import type { ReplayJson } from '../../src/log/replay';
import { skipWithoutRedis, startRedis, type TestRedis } from '../redis/redis-server';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '../../src/actors/server';
import { redisAdapter, type RedisAdapter } from '../../src/redis';
import { FAST, connect, waitFor } from '../redis/cluster-harness';

const fixture = path.join(__dirname, 'fixtures', 'chat.jsonl');
const fixtureEvents = parseLog(fs.readFileSync(fixture, 'utf8'), fixture).events;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iostate-cli-redis-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A port with nothing listening on it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe.skipIf(skipWithoutRedis('iostate replay/inspect --redis'))('iostate replay and inspect --redis on a real Redis', () => {
  let redis: TestRedis;
  let client: Redis;
  /** How the commands name the Redis (a REDIS_URL may end with a slash). */
  let shown: string;

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    shown = redis.url.replace(/\/$/, '');
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.close();
  });
  afterEach(async () => {
    await redis.flush();
  });

  /** Appends `events` to the stream `<key>-log` the way a cluster node does. */
  async function writeStream(key: string, events: readonly LogEvent[]): Promise<void> {
    const sink = new RedisStreamSink({ client, stream: `${key}-log` });
    for (const event of events) sink.write(event);
    await sink.close();
  }

  it('replays the stream as it replays the same events from a file', async () => {
    await writeStream('chat', fixtureEvents);
    const fromRedis = await run('replay', '--redis', redis.url, '--key', 'chat', '--json');
    expect(fromRedis.stderr).toBe('');
    expect(fromRedis.code).toBe(0);
    const json = JSON.parse(fromRedis.stdout) as ReplayJson;
    // In the order they ended.
    expect(json.connections.map((c) => [c.id, c.reason])).toEqual([
      ['B-sid', 'forced close'],
      ['C-sid', 'transport error'],
      ['D-sid', 'transport close'],
      ['A-sid', 'ping timeout'],
      ['E-sid', 'server shutting down'],
    ]);
    expect(json.sockets.find((s) => s.id === 'B-sid')?.rooms).toEqual(['B-sid', 'lobby']);
    expect(json).toEqual(JSON.parse((await run('replay', fixture, '--json')).stdout));
  });

  it('--follow reads the stream as it is written, with a blocking XREAD, and Ctrl-C ends it as the end of the log', async () => {
    // Up to B's last event: B has ended, C to E have not.
    const cut = fixtureEvents.findIndex((e) => e.type === 'conn.close' && e.sid === 'B-sid') + 1;
    await writeStream('chat', fixtureEvents.slice(0, cut));
    let appended: Promise<void> | undefined;
    let shownBeforeAppend = '';
    const followed = await followUntil(
      (stdout) => {
        if (stdout.includes('\n  B-sid  closed') && !appended) {
          // Written only once the first part is shown: the rest can only come through XREAD.
          shownBeforeAppend = stdout;
          appended = writeStream('chat', fixtureEvents.slice(cut));
        }
        return stdout.includes('\n  D-sid  closed');
      },
      {},
      'replay',
      '--redis',
      redis.url,
      '--key',
      'chat',
      '--follow',
    );
    await appended;
    expect(shownBeforeAppend).not.toContain('C-sid  closed');
    expect(followed.stderr).toBe('');
    expect(followed.code).toBe(0);
    // With the whole stream written, a one-shot read tells the same story.
    const whole = await run('replay', '--redis', redis.url, '--key', 'chat');
    expect(followed.stdout).toBe(whole.stdout);
    expect(followed.stdout).toContain(`from ${shown} (stream chat-log): 5 connections`);
  });

  it('--follow --json on the stream prints one line per connection as it ends', async () => {
    await writeStream('chat', fixtureEvents);
    const followed = await followUntil((stdout) => stdout.split('\n').length > 4, {}, 'replay', '--redis', redis.url, '--key', 'chat', '--follow', '--json');
    expect(followed.code).toBe(0);
    const ids = followed.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { connection: { id: string } }).connection.id);
    expect(ids).toEqual(['B-sid', 'C-sid', 'D-sid', 'A-sid', 'E-sid']);
  });

  it('reads the key socket.io by default', async () => {
    await writeStream('socket.io', fixtureEvents);
    const { code, stdout } = await run('replay', '--redis', redis.url, '--sid', 'D-sid');
    expect(code).toBe(0);
    expect(stdout).toContain(`from ${shown} (stream socket.io-log)`);
    expect(stdout).toContain('transport close: websocket closed by the client with code 1001 (going away)');
  });

  it('merges files and the stream by time, then node, then seq', async () => {
    const file = path.join(dir, 'odd.jsonl');
    fs.writeFileSync(
      file,
      fixtureEvents
        .filter((e) => e.seq % 2 === 1)
        .map((e) => JSON.stringify(e) + '\n')
        .join(''),
    );
    await writeStream(
      'half',
      fixtureEvents.filter((e) => e.seq % 2 === 0),
    );
    const merged = await run('replay', file, '--redis', redis.url, '--key', 'half', '--json');
    expect(merged.stderr).toBe('');
    expect(JSON.parse(merged.stdout)).toEqual(JSON.parse((await run('replay', fixture, '--json')).stdout));
    // Neither half alone rebuilds the log: the merge is what does.
    expect(JSON.parse((await run('replay', file, '--json')).stdout)).not.toEqual(JSON.parse(merged.stdout));
  });

  it('reports invalid stream entries by id and replays the rest', async () => {
    await writeStream('bad', fixtureEvents.slice(0, 10));
    const notAnEvent = (await client.call('XADD', 'bad-log', '*', 'e', '{"type":"nope"}')) as string;
    const noEventField = (await client.call('XADD', 'bad-log', '*', 'x', '1')) as string;
    await writeStream('bad', fixtureEvents.slice(10));
    const { code, stdout, stderr } = await run('replay', '--redis', redis.url, '--key', 'bad', '--json');
    expect(code).toBe(0);
    expect(stderr).toBe(
      `${shown} (stream bad-log) entry ${notAnEvent}: not an event (unknown type), skipped\n` +
        `${shown} (stream bad-log) entry ${noEventField}: no field e, skipped\n`,
    );
    expect((JSON.parse(stdout) as ReplayJson).connections).toHaveLength(5);
  });

  it('fails with exit 1 on a stream that holds no event', async () => {
    const id = (await client.call('XADD', 'emptied-log', '*', 'e', '{}')) as string;
    await client.call('XDEL', 'emptied-log', id);
    const { code, stderr } = await run('replay', '--redis', redis.url, '--key', 'emptied');
    expect(code).toBe(1);
    expect(stderr).toBe(`iostate replay: no events in ${shown} (stream emptied-log)\n`);
  });

  it('a wrong --key names the log streams that do exist, with the --key that reads each', async () => {
    const none = await run('replay', '--redis', redis.url, '--key', 'nobody');
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(`iostate replay: no stream nobody-log on ${shown}, and no other log stream (*-log) there either\n`);
    await writeStream('chat', fixtureEvents.slice(0, 3));
    await writeStream('\u001b[2Jgame', fixtureEvents.slice(0, 3));
    // A key named like a log that is not a stream is not one.
    await client.call('SET', 'not-a-stream-log', 'x');
    for (const command of ['replay', 'inspect']) {
      const wrong = await run(command, '--redis', redis.url, '--key', 'chta');
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toBe(
        `iostate ${command}: no stream chta-log on ${shown}; the log streams there: \\x1b[2Jgame-log (--key \\x1b[2Jgame), chat-log (--key chat)\n`,
      );
    }
  });

  it('a cluster node shows its start once, and a socket connected before the adapter was set is not lost', async () => {
    const file = path.join(dir, 'node.jsonl');
    const http = createHttpServer();
    // Attached first, then made a cluster node, with a client connected in between.
    const io = new Server(http, { eventLog: { file, node: 'solo' }, serveClient: false });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const client = await connect(4, (http.address() as AddressInfo).port);
    io.adapter(redisAdapter({ ...FAST, key: 'solo', url: redis.url }));
    const node = (io.of('/').adapter as RedisAdapter).node;
    await (io.of('/').adapter as RedisAdapter).ready();
    await waitFor('the stream to hold the socket', async () =>
      (await run('replay', '--redis', redis.url, '--key', 'solo', '--json')).stdout.includes('"connected"'),
    );
    client.close();
    await waitFor('the close recorded', () => io.log.events().some((e) => e.type === 'conn.close'));
    await new Promise<void>((resolve) => io.close(() => resolve()));
    await node.close();
    await io.log.close();
    for (const source of [[file], ['--redis', redis.url, '--key', 'solo']]) {
      const summary = await run('replay', ...source, '--summary');
      expect(summary.stdout).toContain('\n  solo  started ');
      expect(summary.stdout).not.toContain('started again');
      expect(summary.stdout).not.toMatch(/\n {2}lost /);
      const text = await run('replay', ...source);
      expect(text.stdout.match(/server started on/g)).toHaveLength(1);
    }
  });

  it('inspect --redis draws the stream as one timeline file', async () => {
    await writeStream('chat', fixtureEvents);
    const out = path.join(dir, 'timeline.html');
    const result = await run('inspect', '--redis', redis.url, '--key', 'chat', '-o', out);
    expect(result).toMatchObject({ code: 0, stderr: '', stdout: `wrote ${out} (${fixtureEvents.length} events)\n` });
    const html = fs.readFileSync(out, 'utf8');
    expect(html.match(/class="lanes-card"/g)).toHaveLength(5);
    expect(html).toContain('ping timeout: last pong 12:00:51.020, ping sent 12:01:16.000, no pong within pingTimeout 20000 ms');
    expect(html).toContain(`${shown} (stream chat-log)`);
  });
});

describe('iostate replay and inspect --redis without a Redis', () => {
  it.each(['replay', 'inspect'])('%s: an unreachable Redis exits 1 at once with one clear line, no password', async (command) => {
    const port = await freePort();
    const output = path.join(dir, 'never.html');
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const started = Date.now();
      const { code, stdout, stderr } = await run(command, '--redis', `redis://:hunter2@127.0.0.1:${port}`, ...(command === 'inspect' ? ['-o', output] : []));
      expect(Date.now() - started).toBeLessThan(3000);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(
        new RegExp(
          `^iostate ${command}: cannot read redis://127\\.0\\.0\\.1:${port} \\(stream socket\\.io-log\\): connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\n$`,
        ),
      );
      // ioredis prints "Unhandled error event" there when nobody listens for its errors.
      expect(consoleError).not.toHaveBeenCalled();
    } finally {
      consoleError.mockRestore();
    }
    expect(fs.existsSync(output)).toBe(false);
  });

  it.each([
    [['replay', fixture, '--key', 'chat'], /--key needs --redis URL/],
    [['inspect', fixture, '--key', 'chat'], /--key needs --redis URL/],
    [['replay', '--redis', 'localhost:6379'], /--redis expects a URL such as redis:\/\/localhost:6379, got "localhost:6379"/],
    [['inspect', '--redis', 'http://localhost:6379'], /--redis expects a URL such as redis:\/\/localhost:6379/],
    [['replay', '--redis'], /Option '--redis <value>' argument missing/],
    [['replay'], /no log file given \(nor --redis URL\)/],
    [['replay', '--redis', 'redis://localhost:6379', fixture, '--follow'], /--follow reads one file, or - for standard input, or the --redis stream alone/],
  ])('%j exits 2 with a clear message', async (argv, message) => {
    const { code, stderr } = await run(...argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('the bin loads ioredis only for --redis, and never the server', async () => {
    const port = await freePort();
    const main = path.join(__dirname, '..', '..', 'src', 'cli', 'main.ts');
    const loaded = (argv: string[]) =>
      new Promise<{ code: number; ioredis: boolean; server: boolean }>((resolve, reject) => {
        const script = `
          const { main } = require(${JSON.stringify(main)});
          main(${JSON.stringify(argv)}, { stdout() {}, stderr() {} }).then((code) => {
            const loaded = (part) => Object.keys(require.cache).some((file) => file.split(require('path').sep).join('/').includes(part));
            console.log(JSON.stringify({ code, ioredis: loaded('/node_modules/ioredis/'), server: loaded('/src/actors/server.ts') }));
          });`;
        execFile(process.execPath, ['--import', 'tsx', '--eval', script], (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout))));
      });
    expect(await loaded(['replay', fixture, '--json'])).toEqual({ code: 0, ioredis: false, server: false });
    expect(await loaded(['inspect', fixture, '-o', '-'])).toEqual({ code: 0, ioredis: false, server: false });
    expect(await loaded(['replay', '--redis', `redis://127.0.0.1:${port}`])).toEqual({ code: 1, ioredis: true, server: false });
    // Three processes compiling the CLI's TypeScript: 9 s alone at load 8, over 20 s in a full run.
  }, 90_000);
});

describe('iostate replay --redis against a server that never answers', () => {
  it('gives up after the connect timeout with a clear line, and leaves no connection behind', async () => {
    const held = new Set<import('node:net').Socket>();
    const silent = createServer((socket) => {
      socket.resume(); // reads and ignores what it is sent (a paused socket would never see the client's end)
      held.add(socket);
      socket.on('close', () => held.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const started = Date.now();
      const { code, stderr } = await run('replay', '--redis', `redis://127.0.0.1:${port}`);
      expect(code).toBe(1);
      expect(stderr).toMatch(/^iostate replay: cannot read redis:\/\/127\.0\.0\.1:\d+ \(stream socket\.io-log\): no answer from Redis within 5000 ms\n$/);
      expect(Date.now() - started).toBeLessThan(8000);
      for (let waited = 0; held.size > 0 && waited < 2000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(held.size).toBe(0);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 15_000);
});
