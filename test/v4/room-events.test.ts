// socket.io 4's adapter room events, on both faces of the core: they come from
// the core adapter, whoever changes a membership (a join, a leave, a
// disconnect, socketsLeave), in socket.io 4.8's order.
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import iostate from '../../src';
import { closeHttp, listen, onCleanup } from '../interop/harness/fixture';
import { connected, delay, differential, next } from './harness';
import type { Socket } from '../../src/v4';

function recordRoomEvents(adapter: { on(event: string, fn: (...args: any[]) => void): unknown }, log: string[][]): void {
  for (const event of ['create-room', 'join-room', 'leave-room', 'delete-room']) {
    adapter.on(event, (...args: string[]) => log.push([event, ...args]));
  }
}

/** The socket's own id (its first room) differs between runs: named ID. */
function named(log: string[][], id: string): string[][] {
  return log.map((entry) => entry.map((value) => (value === id ? 'ID' : value)));
}

describe('adapter room events', () => {
  it('iostate/v4 emits them as socket.io 4.8 does', async () => {
    const { ours, theirs } = await differential(async (side) => {
      const log: string[][] = [];
      recordRoomEvents(side.io.of('/').adapter, log);
      const connection = next<[Socket]>(side.io, 'connection');
      const client = side.client('/');
      const [socket] = await connection;
      await connected(client);
      socket.join(['a', 'b']);
      socket.join('a');
      socket.leave('b');
      side.io.socketsLeave('a');
      socket.join('c');
      socket.disconnect();
      await delay(20);
      return named(log, socket.id);
    });
    expect(ours).toEqual(theirs);
    expect(ours).toContainEqual(['delete-room', 'c']);
  });

  it('the 2.x face has them too, for who listens', async () => {
    const http = createServer();
    const io = iostate(http, { serveClient: false });
    const port = await listen(http);
    onCleanup(async () => {
      await new Promise<void>((resolve) => io.close(() => resolve()));
      if (http.listening) await closeHttp(http);
    });
    const log: string[][] = [];
    recordRoomEvents(io.of('/').adapter, log);
    const connection = new Promise<any>((resolve) => io.on('connection', resolve));
    const client = connect(`http://127.0.0.1:${port}`, { forceNew: true, reconnection: false, transports: ['websocket'] });
    onCleanup(() => void client.disconnect());
    const socket = await connection;
    socket.join('lobby');
    socket.leave('lobby');
    expect(named(log, socket.id)).toEqual([
      ['create-room', 'ID'],
      ['join-room', 'ID', 'ID'],
      ['create-room', 'lobby'],
      ['join-room', 'lobby', 'ID'],
      ['leave-room', 'lobby', 'ID'],
      ['delete-room', 'lobby'],
    ]);
  });
});
