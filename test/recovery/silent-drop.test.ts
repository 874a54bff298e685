/**
 * The commonest drop on a phone: the network changes, the old TCP
 * connection goes silent (no close reaches the server), and the client
 * reconnects at once, long before the server's ping timeout. The client
 * holds the pid, so the server closes the silent connection and gives the
 * socket back, with every packet sent meanwhile, once, in order.
 */
import { createServer, connect as tcpConnect, type Socket as TcpSocket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { client, cutTransport, once, startServer, until, type RecoveryServer } from './one-node-harness';

interface BlackHoleProxy {
  port: number;
  /** Stops forwarding on every connection open now, in both directions, without closing any. */
  silence(): void;
  close(): Promise<void>;
}

async function blackHoleProxy(target: number): Promise<BlackHoleProxy> {
  const pairs: Array<[TcpSocket, TcpSocket]> = [];
  const server = createServer((socket) => {
    const upstream = tcpConnect(target, '127.0.0.1');
    for (const side of [socket, upstream]) side.on('error', () => {});
    socket.pipe(upstream);
    upstream.pipe(socket);
    pairs.push([socket, upstream]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    silence() {
      for (const [socket, upstream] of pairs.splice(0)) {
        socket.unpipe(upstream);
        upstream.unpipe(socket);
        socket.pause();
        upstream.pause();
        held.push(socket, upstream);
      }
    },
    close: async () => {
      for (const socket of held.splice(0)) socket.destroy();
      for (const pair of pairs.splice(0)) pair.forEach((socket) => socket.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
const held: TcpSocket[] = [];

let server: RecoveryServer | undefined;
let proxy: BlackHoleProxy | undefined;
const timers: NodeJS.Timeout[] = [];

afterEach(async () => {
  for (const timer of timers.splice(0)) clearInterval(timer);
  await proxy?.close();
  await server?.close();
  proxy = undefined;
  server = undefined;
});

describe('a silent drop the server has not noticed yet', () => {
  it('closes the silent connection and recovers the socket at once, every packet once, in order', async () => {
    // A ping timeout far away: without the take-over, the client would get a new socket.
    server = await startServer({ pingInterval: 20_000, pingTimeout: 20_000, connectionStateRecovery: {} });
    server.io.on('connection', (socket) => {
      if (!socket.recovered) socket.join('feed');
    });
    proxy = await blackHoleProxy(server.port);
    const socket = client(proxy.port);
    const ticks: number[] = [];
    socket.on('tick', (n: number) => ticks.push(n));
    await once(socket, 'connect');
    const id = socket.id;
    let next = 0;
    const timer = setInterval(() => server!.io.to('feed').emit('tick', next++), 4);
    timers.push(timer);
    await until(() => ticks.length >= 20, 'the first ticks');
    proxy.silence();
    cutTransport(socket); // the client gives up on it; its close frame never reaches the server
    await once(socket, 'connect');
    expect(socket.recovered).toBe(true);
    expect(socket.id).toBe(id);
    const last = next + 20;
    await until(() => next >= last, 'more ticks');
    clearInterval(timer);
    await until(() => ticks.length === next, 'every tick');
    expect(ticks).toEqual(Array.from({ length: next }, (_, i) => i));
    const [record] = server.recoveries();
    expect(record).toMatchObject({ recovered: true, socketId: id });
    // The silent connection was closed by the server, which the log says.
    const closes = server.io.log.events().filter((e) => e.type === 'socket.disconnect' && e.socketId === id);
    expect(closes.map((e) => (e as { reason: string }).reason)).toEqual(['forced close']);
    socket.close();
  });
});
