// A request about one socket made while Redis is unreachable fails at once,
// through its callback, and leaves nothing behind: no timeout fires later as
// an unhandled rejection (which would end the process).
import { afterEach, expect, it } from 'vitest';
import { Server } from '../../src/actors/server';
import { redisAdapter, type RedisAdapter } from '../../src/redis';
import { sleep } from './cluster-harness';

const REQUESTS_TIMEOUT = 200;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let io: Server | undefined;

afterEach(async () => {
  process.off('unhandledRejection', onUnhandled);
  unhandled.length = 0;
  const adapter = io?.of('/').adapter as RedisAdapter | undefined;
  io?.close();
  await adapter?.node.close();
  io = undefined;
});

it('remoteJoin/remoteLeave/remoteDisconnect with Redis unreachable: one error each, and no late rejection', async () => {
  process.on('unhandledRejection', onUnhandled);
  io = new Server({ serveClient: false });
  // Port 1: nothing listens there.
  io.adapter(redisAdapter({ url: 'redis://127.0.0.1:1', requestsTimeout: REQUESTS_TIMEOUT, sharedLog: false }));
  const adapter = io.of('/').adapter as RedisAdapter;
  adapter.on('error', () => {});
  const failures = await Promise.all([
    new Promise<Error | null>((resolve) => adapter.remoteJoin('nobody', 'room', resolve)),
    new Promise<Error | null>((resolve) => adapter.remoteLeave('nobody', 'room', resolve)),
    new Promise<Error | null>((resolve) => adapter.remoteDisconnect('nobody', false, resolve)),
  ]);
  for (const failure of failures) expect(failure?.message).toMatch(/failed: cannot reach the other nodes \(Redis: /);
  await sleep(REQUESTS_TIMEOUT * 3);
  expect(unhandled).toEqual([]);
});
