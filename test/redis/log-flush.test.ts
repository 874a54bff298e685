// `io.log.flush()` with the Redis adapter's shared log resolves only once this
// node's events are in the stream, however slow the way to Redis is. It did
// not wait for the stream at all (the adapter's stream sink was not one of the
// log's sinks): on a loaded machine another client's XADD right after the
// flush landed before the node's own socket.connect (forged-entries, three
// full runs of seven). A proxy that holds what the node sends to Redis makes
// that slowness certain.
import { createServer, connect as connectTcp, type Server as TcpServer, type Socket as TcpSocket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { skipWithoutRedis, startRedis, type TestRedis } from './redis-server';
import { connect, serverId, startIostateNode, type IostateNode, type TestSocket } from './cluster-harness';

/** A TCP proxy to Redis that delays what clients send by `delayMs`, in order. */
class SlowProxy {
  delayMs = 0;
  private readonly sockets = new Set<TcpSocket>();
  private constructor(private readonly server: TcpServer) {}

  static async start(port: number): Promise<SlowProxy> {
    const server = createServer();
    const proxy = new SlowProxy(server);
    server.on('connection', (client) => proxy.pipe(client, port));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private pipe(client: TcpSocket, port: number): void {
    const upstream = connectTcp(port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    let sent = Promise.resolve();
    client.on('data', (chunk: Buffer) => {
      const due = Date.now() + this.delayMs;
      sent = sent.then(() => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())))).then(() => void upstream.write(chunk));
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe.skipIf(skipWithoutRedis('log flush with the shared log'))('io.log.flush() with the shared log', () => {
  let redis: TestRedis;
  let proxy: SlowProxy;
  let raw: Redis;
  let node: IostateNode | undefined;
  let victim: TestSocket | undefined;

  beforeAll(async () => {
    redis = await startRedis();
    proxy = await SlowProxy.start(redis.port);
    raw = new Redis(redis.url);
  });
  afterAll(async () => {
    victim?.close();
    proxy.delayMs = 0;
    await node?.close();
    raw?.disconnect();
    await proxy?.close();
    await redis?.close();
  });

  it("resolves once the node's events are in the stream, however slow Redis is to take them", async () => {
    node = await startIostateNode('node-a', { url: proxy.url });
    proxy.delayMs = 1500;
    victim = await connect(4, node.port);
    const id = serverId(victim);
    await node.io.log.flush();
    const stream = await raw.xrange('socket.io-log', '-', '+');
    const connects = stream.filter(([, fields]) => fields[1]!.includes('"type":"socket.connect"') && fields[1]!.includes(`"socketId":"${id}"`));
    expect(connects).toHaveLength(1);
  });
});
