/**
 * One iostate node of the multi-process tests: NODE_NAME, REDIS_URL and the
 * liveness timings from the environment; prints "READY <port>" once it
 * listens. Test clients drive it through the /control namespace, which
 * keeps control sockets out of the main namespace's listings.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '../../src/actors/server';
import { redisAdapter, type RedisAdapter } from '../../src/redis';

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
  }),
);
const main = io.of('/');
const adapter = main.adapter as RedisAdapter;
adapter.on('error', (error: Error) => console.error(`adapter error: ${error.message}`));

type Ack = (answer: unknown) => void;

io.of('/control').on('connection', (control) => {
  control.on('join', (id: string, rooms: string[], ack: Ack) => {
    const socket = main.connected[id];
    if (!socket) return ack({ error: `no socket ${id} here` });
    socket.join(rooms, () => ack('ok'));
  });
  control.on('clients', (room: string | null, ack: Ack) => {
    (room ? main.in(room) : main).clients((err, ids) => ack(err ? { error: err.message } : [...ids].sort()));
  });
  control.on('projection', (ack: Ack) => ack([...io.log.projections.rooms.socketIds('/')].sort()));
  control.on('emit', (rooms: string[], payload: unknown, ack: Ack) => {
    main.to(rooms).emit('news', payload);
    ack('ok');
  });
});

void adapter.ready().then(() => {
  http.listen(0, '127.0.0.1', () => {
    console.log(`READY ${(http.address() as AddressInfo).port}`);
  });
});
