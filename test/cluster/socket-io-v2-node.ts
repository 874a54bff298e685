/**
 * One socket.io 2.5.1 node with socket.io-redis 5, as a 2.x cluster runs
 * them, for the mixed-cluster test: NODE_NAME and REDIS_URL from the
 * environment; prints "READY <port>" once it listens and its adapter
 * listens to the cluster. Driven through /control like the iostate nodes.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import SocketIo from 'socket.io-v2';
import socketIoRedis from 'socket.io-redis';
import { attachControl } from './control';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const http = createServer();
const io = new SocketIo(http, { serveClient: false, adapter: socketIoRedis(env('REDIS_URL'), { requestsTimeout: 2000 }) });
io.of('/').adapter.on('error', (error: Error) => console.error(`adapter error: ${error.message}`));
attachControl(io, env('NODE_NAME'));

// socket.io-redis 5 subscribes without telling when it is done: a PING on the
// subscriber connection answers after the SUBSCRIBE commands sent before it.
io.of('/').adapter.subClient.ping(() => {
  http.listen(0, '127.0.0.1', () => {
    console.log(`READY ${(http.address() as AddressInfo).port}`);
  });
});
