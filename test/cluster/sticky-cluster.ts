/**
 * A node:cluster app for the sticky test: the primary forks WORKERS workers
 * and routes connections with setupPrimary, printing "READY <port>" once
 * it listens and every worker is ready; each worker serves iostate (in-memory adapter) and
 * answers `whoami` with its pid.
 */
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '../../src/actors/server';
import { setupPrimary, setupWorker } from '../../src/redis';

const count = Number(process.env.WORKERS ?? 2);

if (cluster.isPrimary) {
  let listening: number | undefined;
  let ready = 0;
  const announce = () => {
    if (listening !== undefined && ready === count) console.log(`READY ${listening}`);
  };
  setupPrimary({
    port: 0,
    host: '127.0.0.1',
    onListening: (server) => {
      listening = (server.address() as AddressInfo).port;
      announce();
    },
    onWorkerReady: (_worker, readyCount) => {
      ready = readyCount;
      announce();
    },
  });
  for (let i = 0; i < count; i++) cluster.fork();
} else {
  const http = createServer();
  const io = new Server(http, { serveClient: false });
  io.on('connection', (socket) => {
    socket.on('whoami', (ack: (pid: number) => void) => ack(process.pid));
  });
  setupWorker(http);
  process.on('disconnect', () => process.exit(0));
}
