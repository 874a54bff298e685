/**
 * A real iostate server on a free port with the inspector handler in front,
 * real clients of both generations, and cleanup after every test.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { io as connectV4, type Socket as ClientV4 } from 'socket.io-client';
import connectV2 from 'socket.io-client-v2';
import { Server, type ServerOptions } from '../../src/actors/server';
import { createInspectorHandler, type InspectorHandler, type InspectorOptions } from '../../src/inspect/http-endpoint';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

export interface Live {
  io: Server;
  inspector: InspectorHandler;
  url: string;
  /** A socket.io-client 4.x socket, connected (polling, then websocket). */
  clientV4(nsp?: string): Promise<ClientV4>;
  /** A socket.io-client 2.x socket, connected. */
  clientV2(nsp?: string): Promise<{ id: string; io: { engine: { id: string } }; close(): void }>;
}

export async function startLive(inspectorOptions: InspectorOptions, serverOptions: ServerOptions = {}): Promise<Live> {
  // The inspector's listener is in place before the Server attaches, as an application would do.
  const server = http.createServer((req, res) => {
    if (inspector(req, res)) return;
    res.writeHead(404);
    res.end();
  });
  const io = new Server(server, serverOptions);
  const inspector = createInspectorHandler(io, inspectorOptions);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: { close(): void }[] = [];
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const client of clients) client.close();
        inspector.close();
        server.closeAllConnections();
        io.close(() => resolve());
      }),
  );
  const connected = <T extends { once(event: string, fn: (...args: any[]) => void): unknown; close(): void }>(client: T) => {
    clients.push(client);
    return new Promise<T>((resolve, reject) => {
      client.once('connect', () => resolve(client));
      client.once('connect_error', (error: Error) => reject(error));
    });
  };
  return {
    io,
    inspector,
    url,
    clientV4: (nsp = '/') => connected(connectV4(`${url}${nsp}`, { forceNew: true, reconnection: false })),
    clientV2: (nsp = '/') => connected(connectV2(`${url}${nsp}`, { forceNew: true, reconnection: false })),
  };
}

/** Polls `check` until it holds (the server side of a client action lands a moment later). */
export async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
