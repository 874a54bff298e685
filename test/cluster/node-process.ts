/**
 * One iostate node of the multi-process tests: NODE_NAME, REDIS_URL, the
 * liveness timings and, optionally, COMPAT (the adapter's `compat`) from the
 * environment; prints "READY <port>" once it listens. Test clients drive it
 * through the /control namespace (test/cluster/control.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '../../src/actors/server';
import { redisAdapter, type RedisAdapter, type RedisAdapterOptions } from '../../src/redis';
import { attachControl } from './control';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const http = createServer();
const io = new Server(http, { eventLog: { node: env('NODE_NAME') }, serveClient: false });
io.adapter(
  redisAdapter({
    url: env('REDIS_URL'),
    heartbeatInterval: Number(env('HEARTBEAT_INTERVAL')),
    heartbeatTimeout: Number(env('HEARTBEAT_TIMEOUT')),
    requestsTimeout: 2000,
    ...(process.env.COMPAT ? { compat: process.env.COMPAT as RedisAdapterOptions['compat'] } : {}),
  }),
);
const adapter = io.of('/').adapter as RedisAdapter;
adapter.on('error', (error: Error) => console.error(`adapter error: ${error.message}`));

attachControl(io, env('NODE_NAME'), {
  projection: (ack: (answer: unknown) => void) => ack([...io.log.projections.rooms.socketIds('/')].sort()),
});

void adapter.ready().then(() => {
  http.listen(0, '127.0.0.1', () => {
    console.log(`READY ${(http.address() as AddressInfo).port}`);
  });
});
