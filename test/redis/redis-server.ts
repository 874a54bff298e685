/**
 * A real Redis for the tests: `REDIS_URL` when set, else a throwaway
 * `redis-server` on a free port (no persistence), stopped afterwards.
 * Without either, the suite fails when IOSTATE_REQUIRE_REDIS=1 (CI) and is
 * skipped with a loud warning otherwise.
 *
 * A `REDIS_URL` Redis must be a throwaway one: the tests FLUSHALL it. Its
 * pub/sub channels are shared by every test file, so run them one file at a
 * time (`--no-file-parallelism`); the tests that stop and restart Redis are
 * skipped there.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export interface TestRedis {
  url: string;
  port: number;
  /** Stops the server (a started one only): for fault tests. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  /** Empties every key (between tests). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

const BINARY = process.env.REDIS_SERVER_BIN ?? 'redis-server';

/** Whether the tests can stop and restart Redis (not a REDIS_URL one); warns when not. */
export function canRestartRedis(test: string): boolean {
  if (!process.env.REDIS_URL) return true;
  console.warn(`\n!!!!! SKIPPED ${test}: it stops and restarts Redis, which it cannot do to REDIS_URL !!!!!\n`);
  return false;
}

export function redisAvailability(): 'url' | 'binary' | 'none' {
  if (process.env.REDIS_URL) return 'url';
  return spawnSync(BINARY, ['--version']).status === 0 ? 'binary' : 'none';
}

/** Whether to skip the Redis suites; throws when Redis is required and missing. */
export function skipWithoutRedis(suite: string): boolean {
  if (redisAvailability() !== 'none') return false;
  const message = `${suite}: no REDIS_URL and no redis-server binary`;
  if (process.env.IOSTATE_REQUIRE_REDIS === '1') throw new Error(`${message}, and IOSTATE_REQUIRE_REDIS=1`);
  console.warn(`\n!!!!! SKIPPED ${message}: install redis-server or set REDIS_URL !!!!!\n`);
  return true;
}

export async function startRedis(): Promise<TestRedis> {
  if (process.env.REDIS_URL) {
    const url = process.env.REDIS_URL;
    const port = Number(new URL(url).port || 6379);
    const notOwned = () => Promise.reject(new Error('cannot stop a Redis given by REDIS_URL'));
    // Each test file starts from an empty Redis, as it does with its own redis-server.
    await flushAll(url);
    return { url, port, stop: notOwned, restart: notOwned, flush: () => flushAll(url), close: async () => {} };
  }
  const started = await spawnOnFreePort();
  const port = started.port;
  let child: ChildProcess | undefined = started.child;
  const url = `redis://127.0.0.1:${port}`;
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  return {
    url,
    port,
    stop,
    restart: async () => {
      await stop();
      child = await spawnRedis(port);
    },
    flush: () => flushAll(url),
    close: stop,
  };
}

/** Test files start their servers at once: a port found free may be taken before ours binds it, so try another. */
async function spawnOnFreePort(): Promise<{ port: number; child: ChildProcess }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return { port, child: await spawnRedis(port) };
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

async function spawnRedis(port: number): Promise<ChildProcess> {
  const child = spawn(BINARY, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    // Ours, not another test file's server that took the same free port first (ours then exits).
    if ((await serverPid(`redis://127.0.0.1:${port}`)) === child.pid) return child;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not answer on port ${port} within 10 s`);
}

/** The process id of the Redis server answering at `url`, or undefined when none answers. */
async function serverPid(url: string): Promise<number | undefined> {
  const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  client.on('error', () => {});
  try {
    await client.connect();
    const match = /process_id:(\d+)/.exec(await client.info('server'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

async function flushAll(url: string): Promise<void> {
  const client = new Redis(url);
  try {
    await client.flushall();
  } finally {
    client.disconnect();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
