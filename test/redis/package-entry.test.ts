// The built `iostate/redis` entry as users load it: require and import give
// the same functions, and two servers built from the package talk through
// Redis. Needs `npm run build` (npm test builds first).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutRedis, startRedis, type TestRedis } from './redis-server';
import { collect, connect, waitFor, type TestSocket } from './cluster-harness';

const repoRoot = new URL('../../', import.meta.url);
const built = existsSync(new URL('dist/cjs/redis.js', repoRoot)) && existsSync(new URL('dist/esm/redis.mjs', repoRoot));
if (!built) {
  if (process.env.CI) throw new Error('dist/ is missing: `npm test` must build before the package-entry tests');
  console.warn('\n*** iostate/redis package-entry tests SKIPPED: dist/ is missing; run `npm run build` first ***\n');
}

const requireFromHere = createRequire(import.meta.url);

describe.skipIf(!built || skipWithoutRedis('iostate/redis package entry'))("require('iostate/redis') and import from 'iostate/redis'", () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });

  it('exports the same functions both ways (checked by plain Node, outside the test bundler)', async () => {
    const names = ['redisAdapter', 'RedisAdapter', 'RequestTimeoutError', 'RedisStreamSink', 'readClusterLog', 'setupPrimary', 'setupWorker', 'pickWorker'];
    const script = [
      "import * as imported from 'iostate/redis';",
      "import { createRequire } from 'node:module';",
      "const required = createRequire(process.cwd() + '/entry.js')('iostate/redis');",
      `const names = ${JSON.stringify(names)};`,
      'console.log(JSON.stringify(names.map((name) => [name, typeof required[name], imported[name] === required[name]])));',
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(repoRoot) });
    expect(JSON.parse(stdout)).toEqual(names.map((name) => [name, 'function', true]));
  });

  it("two servers from the built package deliver each other's broadcasts", async () => {
    const iostate = requireFromHere('iostate') as { Server: new (...args: unknown[]) => any };
    const { redisAdapter } = requireFromHere('iostate/redis') as { redisAdapter: (options: object) => unknown };
    const servers = [0, 1].map((i) => {
      const http = createServer();
      const io = new iostate.Server(http, { serveClient: false, eventLog: { node: `built-${i}` } });
      io.adapter(redisAdapter({ url: redis.url }));
      return { http, io };
    });
    let client: TestSocket | undefined;
    try {
      for (const { http } of servers) await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      await Promise.all(servers.map(({ io }) => io.of('/').adapter.ready()));
      client = await connect(4, (servers[0]!.http.address() as AddressInfo).port);
      const got = collect(client, 'news');
      servers[1]!.io.emit('news', 'from the other server');
      await waitFor('delivery', () => got.length === 1);
      expect(got).toEqual([['from the other server']]);
    } finally {
      client?.close();
      await Promise.all(servers.map(({ io }) => new Promise((resolve) => io.close(resolve))));
    }
  });
});
