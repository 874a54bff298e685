/**
 * iostate nodes in this process on one Redis, and clients of both
 * generations connected to them (websocket only: no stickiness needed).
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import ioV2 from 'socket.io-client-v2';
import { io as ioV4, type Socket as V4Socket } from 'socket.io-client';
import { Server, type ServerOptions } from '../../src/actors/server';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { redisAdapter, type RedisAdapter, type RedisAdapterOptions } from '../../src/redis';
import { startRedis, type TestRedis } from './redis-server';

/** Fast liveness and requests so that the suite stays short. */
export const FAST = { heartbeatInterval: 200, heartbeatTimeout: 1000, requestsTimeout: 1500 } satisfies RedisAdapterOptions;

export interface IostateNode {
  name: string;
  io: Server;
  http: HttpServer;
  port: number;
  adapter(nsp?: string): RedisAdapter;
  close(): Promise<void>;
}

export async function startIostateNode(name: string, options: RedisAdapterOptions, serverOptions: ServerOptions = {}): Promise<IostateNode> {
  const http = createServer();
  const io = new Server(http, { eventLog: { node: name }, serveClient: false, ...serverOptions });
  io.adapter(redisAdapter({ ...FAST, ...options }));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const node: IostateNode = {
    name,
    io,
    http,
    port: (http.address() as AddressInfo).port,
    adapter: (nsp = '/') => io.of(nsp).adapter as RedisAdapter,
    // The node leaves the cluster after the server closed: wait for that too, so nothing it writes lands after a flush.
    close: async () => {
      const cluster = (io.of('/').adapter as RedisAdapter).node;
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await cluster.close();
    },
  };
  node.adapter().on('error', () => {});
  await node.adapter().ready();
  return node;
}

/** What the tests need of a client of either generation. */
export interface TestSocket {
  id: string;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  close(): unknown;
  connected: boolean;
}

export type Generation = 2 | 4;

/** 4.x clients learn their server-side id from the CONNECT reply; 2.x ones derive it. */
const fourDotX = new WeakSet<TestSocket>();

export function connect(generation: Generation, port: number, nsp = '/'): Promise<TestSocket> {
  const url = `http://127.0.0.1:${port}${nsp}`;
  const socket: TestSocket =
    generation === 4
      ? (ioV4(url, { transports: ['websocket'], forceNew: true, reconnection: false }) as V4Socket & TestSocket)
      : (ioV2(url, { transports: ['websocket'], forceNew: true, reconnection: false }) as TestSocket);
  if (generation === 4) fourDotX.add(socket);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`client ${generation}.x did not connect to ${url}`)), 5000);
    socket.on('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
  });
}

/** The server-side id of a client's socket (2.x ids of other namespaces carry the namespace). */
export function serverId(client: TestSocket, nsp = '/'): string {
  return fourDotX.has(client) || nsp === '/' || client.id.startsWith(`${nsp}#`) ? client.id : `${nsp}#${client.id}`;
}

/** Everything `client` receives as `event`, in order. */
export function collect(client: TestSocket, event: string): unknown[][] {
  const got: unknown[][] = [];
  client.on(event, (...args: unknown[]) => got.push(args));
  return got;
}

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeout = 5000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function clientsOf(node: IostateNode, room?: string, nsp = '/'): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const target = room ? node.io.of(nsp).in(room) : node.io.of(nsp);
    target.clients((err, ids) => (err ? reject(err) : resolve([...ids].sort())));
  });
}

/**
 * One real Redis for a suite: started before it, stopped after it. The nodes and clients a test adds to
 * the lists are closed after it (its other `cleanups` run between the two: foreign nodes, Redis
 * connections of its own), and Redis is emptied for the next.
 */
export function useRedisCluster(): { readonly redis: TestRedis; nodes: IostateNode[]; clients: TestSocket[]; cleanups: (() => unknown)[] } {
  let redis: TestRedis | undefined;
  const nodes: IostateNode[] = [];
  const clients: TestSocket[] = [];
  const cleanups: (() => unknown)[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await Promise.all(nodes.splice(0).map((node) => node.close()));
    await redis?.flush();
  });
  return {
    get redis() {
      if (!redis) throw new Error('Redis is started in beforeAll: read it inside a test');
      return redis;
    },
    nodes,
    clients,
    cleanups,
  };
}
