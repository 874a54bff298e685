// Emitting on iostate/v4, compared with socket.io 4.8: immutable broadcast
// operators, except, acks from many clients with a timeout, emitWithAck,
// socket.timeout(), reserved names, and the catch-all listeners.
import { describe, expect, it } from 'vitest';
import type { Socket as ClientSocket } from 'socket.io-client';
import type { Socket } from '../../src/v4';
import { collect, connected, delay, differential, next, type Side } from './harness';

interface Peer {
  socket: Socket;
  client: ClientSocket;
}

/** Three clients A, B, C; A in room a, B in room b, C in both. */
async function threePeers(side: Side): Promise<Record<'A' | 'B' | 'C', Peer>> {
  const peers = {} as Record<'A' | 'B' | 'C', Peer>;
  for (const [name, rooms] of [
    ['A', ['a']],
    ['B', ['b']],
    ['C', ['a', 'b']],
  ] as const) {
    const connection = next<[Socket]>(side.io, 'connection');
    const client = side.client('/');
    const [socket] = await connection;
    await connected(client);
    socket.join([...rooms]);
    peers[name] = { socket, client };
  }
  return peers;
}

describe('iostate/v4 emitting, compared with socket.io 4.8', () => {
  it('an operator is a value: reusing io.to("a") never picks up rooms or flags of another chain', async () => {
    const { ours, theirs } = await differential(async (side) => {
      const { A, B, C } = await threePeers(side);
      const seen = { A: collect(A.client, 400), B: collect(B.client, 400), C: collect(C.client, 400) };
      const io = side.io;
      const toA = io.to('a');
      void toA.except('b');
      void toA.volatile;
      void toA.timeout(5);
      toA.emit('e1');
      toA.except(C.socket.id).emit('e2');
      io.to('a').to('b').emit('e3');
      io.except('a').emit('e4');
      A.socket.to('a').emit('e5');
      A.socket.broadcast.emit('e6');
      io.in('a').except('b').emit('e7');
      toA.emit('e8', { n: 8 });
      io.to(['a', 'b']).except(['a']).emit('e9');
      io.local.compress(false).emit('e10');
      return { A: await seen.A, B: await seen.B, C: await seen.C };
    });
    expect(ours).toEqual(theirs);
    expect(ours.A).toEqual([['e1'], ['e2'], ['e3'], ['e7'], ['e8', { n: 8 }], ['e10']]);
    expect(ours.B).toEqual([['e3'], ['e4'], ['e6'], ['e9'], ['e10']]);
    expect(ours.C).toEqual([['e1'], ['e3'], ['e5'], ['e6'], ['e8', { n: 8 }], ['e10']]);
  });

  it('acks from many clients: every answer, or the timeout error with the answers so far', async () => {
    const { ours, theirs } = await differential(async (side) => {
      const { A, B, C } = await threePeers(side);
      A.client.on('q', (n: number, ack: (answer: string) => void) => ack(`A${n}`));
      B.client.on('q', (n: number, ack: (answer: string) => void) => ack(`B${n}`));
      C.client.on('q', () => {}); // never answers
      const all = await side.io.to('b').except(C.socket.id).timeout(2000).emitWithAck('q', 1);
      const partial = await new Promise<[string, string[]]>((resolve) =>
        side.io.timeout(300).emit('q', 2, (err: Error | null, responses: string[]) => resolve([err?.message ?? 'none', [...responses].sort()])),
      );
      const rejected = await side.io
        .timeout(300)
        .emitWithAck('q', 3)
        .then(
          () => 'resolved',
          (err: Error) => err.message,
        );
      const nobody = await side.io.to('nobody').timeout(300).emitWithAck('q', 4);
      return { all, partial, rejected, nobody };
    });
    expect(ours).toEqual(theirs);
    expect(ours).toEqual({ all: ['B1'], partial: ['operation has timed out', ['A2', 'B2']], rejected: 'operation has timed out', nobody: [] });
  });

  it('socket.timeout().emit, socket.emitWithAck and their timeouts', async () => {
    const { ours, theirs } = await differential(async (side) => {
      const { A } = await threePeers(side);
      A.client.on('double', (n: number, ack: (answer: number) => void) => ack(n * 2));
      A.client.on('silent', () => {});
      const plain = await new Promise((resolve) => A.socket.emit('double', 2, (answer: number) => resolve(answer)));
      const withTimeout = await new Promise((resolve) =>
        A.socket.timeout(1000).emit('double', 3, (err: Error | null, answer: number) => resolve([err, answer])),
      );
      const timedOut = await new Promise((resolve) =>
        A.socket.timeout(200).emit('silent', (err: Error | null, answer?: unknown) => resolve([err?.message, answer])),
      );
      const awaited = await A.socket.emitWithAck('double', 4);
      const rejected = await A.socket
        .timeout(200)
        .emitWithAck('silent')
        .then(
          () => 'resolved',
          (err: Error) => err.message,
        );
      return { plain, withTimeout, timedOut, awaited, rejected };
    });
    expect(ours).toEqual(theirs);
    expect(ours).toEqual({
      plain: 4,
      withTimeout: [null, 6],
      timedOut: ['operation has timed out', undefined],
      awaited: 8,
      rejected: 'operation has timed out',
    });
  });

  it('reserved names throw on every emit; "error" is an ordinary event name in socket.io 4', async () => {
    const { ours, theirs } = await differential(async (side) => {
      const { A } = await threePeers(side);
      const thrown = (fn: () => unknown) => {
        try {
          fn();
          return 'no throw';
        } catch (err) {
          return (err as Error).message;
        }
      };
      const received = next<[string]>(A.client, 'error');
      return {
        io: thrown(() => side.io.emit('connect')),
        room: thrown(() => side.io.to('a').emit('disconnecting')),
        socket: thrown(() => A.socket.emit('disconnect')),
        broadcast: thrown(() => A.socket.broadcast.emit('newListener')),
        error: thrown(() => A.socket.emit('error', 'fine')),
        clientGot: (await received)[0],
      };
    });
    expect(ours).toEqual(theirs);
    expect(ours.io).toBe('"connect" is a reserved event name');
    expect(ours.error).toBe('no throw');
  });

  it('volatile: dropped while the transport is busy, as on socket.io 4.8', async () => {
    const { ours, theirs } = await differential(async (side) => {
      const { A } = await threePeers(side);
      const seen = collect(A.client, 500);
      A.socket.emit('a');
      A.socket.volatile.emit('b');
      side.io.volatile.emit('c');
      await delay(100);
      A.socket.volatile.emit('d');
      return seen;
    });
    expect(ours).toEqual(theirs);
    expect(ours).toEqual([['a'], ['d']]);
  });

  it('socket.use: a packet middleware that refuses gives the app an error and drops the event', async () => {
    const { ours, theirs } = await differential(async (side) => {
      const { A } = await threePeers(side);
      const log: unknown[] = [];
      A.socket.use(([event, ...args], next) => {
        log.push(['middleware', event, args.filter((arg) => typeof arg !== 'function')]);
        if (event === 'forbidden') return next(new Error('not allowed'));
        next();
      });
      A.socket.on('error', (err) => log.push(['error', err.message]));
      A.socket.on('forbidden', () => log.push(['handler ran']));
      const allowed = next(A.socket, 'allowed');
      A.client.emit('forbidden', 1);
      A.client.emit('allowed', 2);
      await allowed;
      await delay(50);
      return { log, connected: A.client.connected };
    });
    expect(ours).toEqual(theirs);
    expect(ours.log).toEqual([
      ['middleware', 'forbidden', [1]],
      ['middleware', 'allowed', [2]],
      ['error', 'not allowed'],
    ]);
  });

  it('catch-all listeners: onAny, prependAny, offAny, listenersAny and the outgoing family', async () => {
    const { ours, theirs } = await differential(async (side) => {
      const { A, B } = await threePeers(side);
      const log: unknown[] = [];
      const first = (...args: unknown[]) => log.push(['first', ...args.map((arg) => (typeof arg === 'function' ? 'ack' : arg))]);
      const second = (...args: unknown[]) => log.push(['second', ...args.filter((arg) => typeof arg !== 'function'), typeof args[args.length - 1]]);
      const out = (...args: unknown[]) => log.push(['out', ...args]);
      A.socket.onAny(second);
      A.socket.prependAny(first);
      A.socket.onAnyOutgoing(out);
      A.socket.prependAnyOutgoing((...args: unknown[]) => log.push(['out-first', ...args]));
      const handled = next(A.socket, 'hello');
      A.client.emit('hello', 1);
      await handled;
      const acked = next(A.socket, 'ask');
      A.client.emit('ask', 2, () => {});
      await acked;
      log.push(['counts', A.socket.listenersAny().length, A.socket.listenersAnyOutgoing().length]);
      const arrived = next(A.client, 'direct');
      A.socket.emit('direct', 'x', () => {});
      await arrived;
      const broadcastArrived = next(A.client, 'everyone');
      B.socket.broadcast.emit('everyone', 'y');
      await broadcastArrived;
      A.socket.offAny(first);
      A.socket.offAnyOutgoing();
      const again = next(A.socket, 'hello');
      A.client.emit('hello', 3);
      await again;
      A.socket.emit('direct', 'z');
      await delay(50);
      log.push(['counts', A.socket.listenersAny().length, A.socket.listenersAnyOutgoing().length]);
      return log;
    });
    expect(ours).toEqual(theirs);
    expect(ours).toContainEqual(['out', 'everyone', 'y']);
    expect(ours).toContainEqual(['second', 'ask', 2, 'function']);
  });
});
