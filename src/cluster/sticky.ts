/**
 * Sticky sessions for node:cluster. HTTP long-polling sends each request of
 * one Engine.IO session separately, and only the worker that did the
 * handshake knows that session: every request must land on it. The primary
 * listens, and hands each TCP connection to the worker chosen by hashing
 * the client's address (as nginx's ip_hash does), so a client always
 * reaches the same worker while the set of workers does not change.
 *
 *   if (cluster.isPrimary) {
 *     for (let i = 0; i < 4; i++) cluster.fork();
 *     setupPrimary({ port: 3000 });
 *   } else {
 *     const http = createServer();
 *     new Server(http).adapter(redisAdapter({ url }));
 *     setupWorker(http);
 *   }
 *
 * Behind a proxy every client has the proxy's address: make the proxy
 * sticky instead (see docs/cluster.md).
 */
import cluster, { type Worker } from 'node:cluster';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';

const CONNECTION = 'iostate:sticky-connection';
/** A worker says it handles connections: only such workers get them (a forked worker is still loading for a while). */
const READY = 'iostate:sticky-ready';

export interface StickyPrimaryOptions {
  port: number;
  host?: string;
  /** Called once listening (the port is useful when `port` is 0). */
  onListening?: (server: NetServer) => void;
  /** Called when a worker called setupWorker, with how many workers are ready now. */
  onWorkerReady?: (worker: Worker, ready: number) => void;
}

/**
 * The worker for `address` among `workers`, by rendezvous hashing: the
 * same one for as long as it lives, and when a worker goes, only the
 * addresses that were on it move. `keyOf` names a worker stably.
 */
export function pickWorker<T>(address: string, workers: readonly T[], keyOf: (worker: T) => string = String): T | undefined {
  let best: T | undefined;
  let bestScore = -1;
  for (const worker of workers) {
    const score = hash(`${address}#${keyOf(worker)}`);
    if (score > bestScore) {
      best = worker;
      bestScore = score;
    }
  }
  return best;
}

/** FNV-1a, 32 bits, then murmur3's final mix: strings that differ only in their last characters still score apart. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** In the primary: listens, and gives each connection to a ready worker chosen by client address. */
export function setupPrimary(options: StickyPrimaryOptions): NetServer {
  if (!cluster.isPrimary) throw new Error('setupPrimary must run in the cluster primary');
  const ready = new Map<number, Worker>();
  cluster.on('message', (worker, message) => {
    if (message !== READY) return;
    ready.set(worker.id, worker);
    options.onWorkerReady?.(worker, ready.size);
  });
  cluster.on('exit', (worker) => ready.delete(worker.id));
  const server = createServer({ pauseOnConnect: true }, (socket: Socket) => {
    const workers = [...ready.values()].filter((worker) => worker.isConnected());
    const worker = pickWorker(socket.remoteAddress ?? '', workers, (candidate) => String(candidate.id));
    if (!worker) {
      socket.destroy();
      return;
    }
    worker.send(CONNECTION, socket, (error) => {
      if (error) socket.destroy();
    });
  });
  server.listen(options.port, options.host, () => options.onListening?.(server));
  return server;
}

/** In a worker: serves the connections the primary hands over with `httpServer` (which must not listen itself). */
export function setupWorker(httpServer: HttpServer): void {
  if (!cluster.isWorker) throw new Error('setupWorker must run in a cluster worker');
  process.on('message', (message: unknown, handle: unknown) => {
    if (message !== CONNECTION || !handle) return;
    const socket = handle as Socket;
    httpServer.emit('connection', socket);
    socket.resume();
  });
  process.send?.(READY);
}
