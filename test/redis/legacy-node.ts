/**
 * Nodes with socket.io-redis 5, the Redis adapter of socket.io 2 clusters,
 * in this process: a socket.io 2.5.1 server, or an iostate server with that
 * adapter plugged in unchanged.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import socketIoRedis from 'socket.io-redis';
import SocketIoV2 from 'socket.io-v2';
import { Server } from '../../src/actors/server';
import { serverId, type TestSocket } from './cluster-harness';

export interface LegacyRedisAdapter {
  uid: string;
  rooms: Record<string, unknown>;
  clients(rooms: string[], fn: (err: Error | null, ids: string[]) => void): void;
  allRooms(fn: (err: Error | null, rooms: string[]) => void): void;
  remoteJoin(id: string, room: string, fn: (err?: Error | null) => void): void;
  remoteLeave(id: string, room: string, fn: (err?: Error | null) => void): void;
  remoteDisconnect(id: string, close: boolean, fn: (err?: Error | null) => void): void;
  customRequest(data: unknown, fn: (err: Error | null, replies: unknown[]) => void): void;
  customHook: (data: unknown, cb: (reply: unknown) => void) => void;
}

interface AnyServer {
  of(nsp: string): {
    connected: Record<string, any>;
    adapter: unknown;
    to(room: string): { emit(...args: unknown[]): unknown };
    emit(...args: unknown[]): unknown;
  };
  close(fn?: () => void): void;
}

export interface LegacyNode {
  io: AnyServer;
  port: number;
  adapter(nsp?: string): LegacyRedisAdapter;
  socket(client: TestSocket): any;
  close(): Promise<void>;
}

type LegacyAdapterClass = { pubClient: { quit(): void }; subClient: { quit(): void } };

/** `kind` on its own port with socket.io-redis 5 on `url`. */
export async function startLegacyNode(kind: 'iostate' | 'socket.io 2.5.1', url: string): Promise<LegacyNode> {
  const http: HttpServer = createServer();
  const Adapter = socketIoRedis(url, { requestsTimeout: 1500 }) as unknown as LegacyAdapterClass;
  const io: AnyServer =
    kind === 'iostate' ? new Server(http, { serveClient: false, adapter: Adapter as never }) : new SocketIoV2(http, { serveClient: false, adapter: Adapter });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const adapter = (nsp = '/') => io.of(nsp).adapter as LegacyRedisAdapter;
  return {
    io,
    port: (http.address() as AddressInfo).port,
    adapter,
    socket: (client) => io.of('/').connected[serverId(client)],
    close: async () => {
      await new Promise<void>((resolve) => io.close(() => resolve()));
      Adapter.pubClient.quit();
      Adapter.subClient.quit();
    },
  };
}

export async function subscribers(url: string, channel: string): Promise<number> {
  const client = new Redis(url);
  try {
    return Number(((await client.call('PUBSUB', 'NUMSUB', channel)) as [string, number])[1]);
  } finally {
    client.disconnect();
  }
}

export const call = <T>(fn: (cb: (err: Error | null | undefined, value: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
