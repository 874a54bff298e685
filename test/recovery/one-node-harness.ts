/**
 * One iostate server with connection state recovery, and real
 * socket.io-client 4.x clients that reconnect on their own; helpers to cut a
 * client's transport without a DISCONNECT packet and to read the recovery
 * records of the log.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io as ioV4, type Socket as V4Socket } from 'socket.io-client';
import { Server, type ServerOptions } from '../../src/actors/server';
import type { LogEventOf } from '../../src/log/events';

export interface RecoveryServer {
  io: Server;
  http: HttpServer;
  port: number;
  close(): Promise<void>;
  recoveries(): Array<LogEventOf<'socket.recovery'>>;
}

export async function startServer(options: ServerOptions): Promise<RecoveryServer> {
  const http = createServer();
  const io = new Server(http, { serveClient: false, ...options });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    io,
    http,
    port: (http.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => io.close(() => resolve())),
    recoveries: () => io.log.events().filter((event): event is LogEventOf<'socket.recovery'> => event.type === 'socket.recovery'),
  };
}

/** A 4.x client that reconnects by itself after `reconnectionDelay` ms. */
export function client(port: number, nsp = '/', reconnectionDelay = 100): V4Socket {
  return ioV4(`http://127.0.0.1:${port}${nsp}`, {
    transports: ['websocket'],
    forceNew: true,
    reconnectionDelay,
    reconnectionDelayMax: reconnectionDelay,
    randomizationFactor: 0,
  });
}

/** Drops the client's transport as a network would: no DISCONNECT packet, the client then reconnects. */
export function cutTransport(socket: V4Socket): void {
  socket.io.engine.close();
}

export function until(condition: () => boolean, what: string, timeout = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (condition()) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - started > timeout) {
        clearInterval(poll);
        reject(new Error(`timed out waiting for ${what}`));
      }
    }, 10);
  });
}

export function once<T = unknown>(emitter: { once(event: string, listener: (...args: any[]) => void): unknown }, event: string): Promise<T> {
  return new Promise((resolve) => emitter.once(event, (value: T) => resolve(value)));
}
