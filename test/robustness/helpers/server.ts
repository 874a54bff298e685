/**
 * An iostate server on a fresh loopback port with short heartbeats, and a
 * way to stop it that waits for every connection to be gone.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import iostate from '../../../src';
import type { Server, ServerOptions } from '../../../src/actors/server';
import type { Socket } from '../../../src/actors/socket';

/** Short enough that silent clients time out in well under a second. */
export const SHORT_HEARTBEAT = { pingInterval: 100, pingTimeout: 200 };

/**
 * For suites whose bystanders must survive a starved event loop (a loaded
 * 2-core CI machine): nobody times out unless the test wants it.
 */
export const STEADY_HEARTBEAT = { pingInterval: 1000, pingTimeout: 3000 };

export interface Running {
  io: Server;
  http: HttpServer;
  port: number;
  url: string;
  stop(): Promise<void>;
}

export async function startIostate(options: ServerOptions = {}): Promise<Running> {
  const http = createServer();
  const io = iostate(http, { ...SHORT_HEARTBEAT, ...options });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  let stopped: Promise<void> | undefined;
  return {
    io,
    http,
    port,
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        io.close(() => resolve());
        http.closeAllConnections();
      })),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** Rejects with `what` when `promise` has not settled within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** How many Engine.IO sessions opened after log position `since` (take it with `io.log.lastPosition`). */
export function sessionsOpenedSince(running: Running, since: number): number {
  return running.io.log.events({ since }).filter((e) => e.type === 'conn.open').length;
}

/** The server-side socket of Engine.IO session `sid` in namespace `nsp` (4.x socket ids are not the sid). */
export function socketOfSession(running: Running, sid: string, nsp = '/'): Socket | undefined {
  return Object.values(running.io.of(nsp).connected).find((socket) => socket.conn.id === sid);
}
