// A server under test on a fresh port, the clients connected to it, and the
// cleanup of both after every test.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { createServerOn, targetName, type TargetName } from './target';
import { withTimeout, type ClientKind, type ConnectOptions, type TestClient } from './clients';
import type { ServerLike, SocketLike } from './api';

/** Heartbeats short enough for ping-timeout scenarios, long enough to stay quiet otherwise. */
export const FAST_HEARTBEAT = { pingInterval: 200, pingTimeout: 300 };

const cleanups: Array<() => Promise<void> | void> = [];

/** Runs `release` after the current test, last registered first. */
export function onCleanup(release: () => Promise<void> | void): void {
  cleanups.push(release);
}

/**
 * Runs every release registered so far, last first. A property test that
 * opens servers in each of its runs calls it after each run, so they do not
 * pile up until the test ends.
 */
export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()!();
}

// Registered for every test file that imports the harness: nothing a test
// opened survives it, even when an assertion failed half-way.
afterEach(runCleanups);

export async function listen(httpServer: HttpServer, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, '127.0.0.1', () => resolve());
  });
  return (httpServer.address() as AddressInfo).port;
}

export function closeHttp(httpServer: HttpServer): Promise<void> {
  httpServer.closeAllConnections?.();
  return new Promise((resolve) => httpServer.close(() => resolve()));
}

/** A port that was free a moment ago, for the constructor forms that take a port number. */
export async function freePort(): Promise<number> {
  const probe = createHttpServer();
  const port = await listen(probe);
  await closeHttp(probe);
  return port;
}

/** Resolves when `port` accepts a listener again. */
export async function portIsFree(port: number): Promise<boolean> {
  const probe = createHttpServer();
  try {
    await listen(probe, port);
    return true;
  } catch {
    return false;
  } finally {
    if (probe.listening) await closeHttp(probe);
  }
}

export class Fixture {
  private readonly connections = new Map<string, Map<string, SocketLike>>();

  constructor(
    readonly io: ServerLike,
    readonly httpServer: HttpServer,
    readonly port: number,
  ) {
    this.track('/');
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Opens a client; it is closed after the test. */
  client(kind: ClientKind, nsp = '/', options: ConnectOptions = {}): TestClient {
    const client = kind.connect(this.url, nsp, options);
    onCleanup(() => client.close());
    return client;
  }

  /** A connected client and its server-side socket. */
  async pair(kind: ClientKind, nsp = '/', options: ConnectOptions = {}): Promise<{ client: TestClient; socket: SocketLike }> {
    this.track(nsp);
    const client = await this.client(kind, nsp, options).ready();
    return { client, socket: await this.serverSocket(nsp, client) };
  }

  /** A sibling namespace over the client's existing connection, and its server-side socket. */
  async siblingPair(client: TestClient, nsp: string): Promise<{ client: TestClient; socket: SocketLike }> {
    this.track(nsp);
    const sibling = await client.sibling(nsp).ready();
    return { client: sibling, socket: await this.serverSocket(nsp, sibling) };
  }

  /** The server socket of a connected client, found by the id both sides share. */
  async serverSocket(nsp: string, client: TestClient): Promise<SocketLike> {
    const sockets = this.track(nsp);
    const found = () => sockets.get(client.id!);
    await withTimeout(
      waitUntil(() => found() !== undefined),
      2000,
      `no server socket with id ${client.id} on ${nsp}`,
    );
    return found()!;
  }

  private track(nsp: string): Map<string, SocketLike> {
    let sockets = this.connections.get(nsp);
    if (!sockets) {
      const tracked = new Map<string, SocketLike>();
      this.io.of(nsp).on('connection', (socket: SocketLike) => tracked.set(socket.id, socket));
      this.connections.set(nsp, tracked);
      sockets = tracked;
    }
    return sockets;
  }
}

/** `new Server(httpServer, options)` on a fresh port (of the target under test unless told); closed after the test. */
export async function startServer(options: Record<string, unknown> = {}, target: TargetName = targetName): Promise<Fixture> {
  const httpServer = createHttpServer();
  const io = createServerOn(target, httpServer, options);
  const port = await listen(httpServer);
  return adopt(io, httpServer, port);
}

/** Takes charge of an io server created some other way, for cleanup and clients. */
export function adopt(io: ServerLike, httpServer: HttpServer, port: number): Fixture {
  onCleanup(async () => {
    await closeIo(io);
    if (httpServer.listening) await closeHttp(httpServer);
  });
  return new Fixture(io, httpServer, port);
}

/** `io.close(cb)`, tolerant of a server that was already closed by the test. */
export function closeIo(io: ServerLike): Promise<void> {
  return withTimeout(
    new Promise<void>((resolve) => {
      try {
        io.close(() => resolve());
      } catch {
        resolve();
      }
    }),
    3000,
    'io.close(cb) did not call back',
  ).catch(() => undefined);
}

export async function waitUntil(condition: () => boolean, stepMs = 5): Promise<void> {
  while (!condition()) await sleep(stepMs);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with the arguments of the next `event` on a server-side emitter. */
export function nextEvent(emitter: { once(event: string, fn: (...args: any[]) => void): unknown }, event: string, ms = 3000): Promise<any[]> {
  return withTimeout(new Promise((resolve) => emitter.once(event, (...args: any[]) => resolve(args))), ms, `no "${event}" event`);
}
