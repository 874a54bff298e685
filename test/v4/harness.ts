// The v4 face next to its reference: one scenario runs on iostate/v4 and on
// socket.io 4.8, each on a fresh port, with real socket.io-client 4.x
// clients; the test compares what the clients and the app saw, and states
// the expected behaviour on iostate's transcript so that a wrong scenario
// cannot pass on both.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { Server as SocketIo4 } from 'socket.io';
import { io as connect, type Socket as ClientSocket, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import { Server as IostateV4 } from '../../src/v4';
import { closeHttp, listen, onCleanup } from '../interop/harness/fixture';
import { withTimeout } from '../interop/harness/clients';

export type SideName = 'iostate/v4' | 'socket.io 4';

export interface Side {
  name: SideName;
  /** The server, through the API both share (socket.io 4's). */
  io: IostateV4;
  httpServer: HttpServer;
  port: number;
  url: string;
  /** Opens a socket.io-client 4.x socket, closed after the test. */
  client(nsp?: string, options?: Partial<ManagerOptions & SocketOptions>): ClientSocket;
}

export const SIDES: SideName[] = ['iostate/v4', 'socket.io 4'];

/** Starts `name` with `options` on a fresh port; everything is closed after the test. */
export async function startSide(name: SideName, options: Record<string, unknown> = {}): Promise<Side> {
  const httpServer = createHttpServer();
  const io = (name === 'iostate/v4' ? new IostateV4(httpServer, options) : new SocketIo4(httpServer, options)) as unknown as IostateV4;
  const port = await listen(httpServer);
  const url = `http://127.0.0.1:${port}`;
  const clients: ClientSocket[] = [];
  onCleanup(async () => {
    for (const client of clients) client.disconnect();
    await io.close();
    if (httpServer.listening) await closeHttp(httpServer);
  });
  return {
    name,
    io,
    httpServer,
    port,
    url,
    client(nsp = '/', clientOptions = {}) {
      const socket = connect(`${url}${nsp}`, { forceNew: true, reconnection: false, transports: ['websocket'], ...clientOptions });
      clients.push(socket);
      return socket;
    },
  };
}

/** Runs `scenario` on both servers, one after the other, and returns both transcripts. */
export async function differential<T>(scenario: (side: Side) => Promise<T>, options: Record<string, unknown> = {}): Promise<{ ours: T; theirs: T }> {
  const ours = await scenario(await startSide('iostate/v4', options));
  const theirs = await scenario(await startSide('socket.io 4', options));
  return { ours, theirs };
}

const WAIT_MS = 3000;

/** Resolves with the arguments of the next `event` on `emitter`, or fails after a few seconds. */
export function next<T extends unknown[] = unknown[]>(emitter: { once(event: string, fn: (...args: any[]) => void): unknown }, event: string): Promise<T> {
  return withTimeout(new Promise<T>((resolve) => emitter.once(event, (...args: any[]) => resolve(args as T))), WAIT_MS, `no "${event}" within ${WAIT_MS} ms`);
}

/** The client connected (resolves), or refused (rejects with its connect_error). */
export function connected(client: ClientSocket): Promise<void> {
  return withTimeout(
    new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('connect_error', reject);
    }),
    WAIT_MS,
    'the client neither connected nor was refused',
  );
}

/** What a client received of `events`, in order, within `ms`. */
export function collect(client: ClientSocket, ms: number): Promise<unknown[][]> {
  const seen: unknown[][] = [];
  client.onAny((...args: unknown[]) => seen.push(args));
  return new Promise((resolve) => setTimeout(() => resolve(seen), ms));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
