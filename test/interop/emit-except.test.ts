// `except(room)`, socket.io 4's modifier, which iostate's 2.x API has too
// (src/actors/emit-modifiers.ts): the same emits on socket.io 4 and on
// iostate reach the same clients. socket.io 2.5.1 has no `except`, so a
// 2.x client is checked against the transcript socket.io 4 gives.
import { expect, it } from 'vitest';
import { clientV2, clientV4, onCleanup, type ClientKind, type TestClient } from './harness';
import { startSide, type Side } from './harness/differential';
import { isReference } from './harness/target';

const NAMES = ['a', 'b', 'c'] as const;

/** Clients a, b, c on `/`; a and b in room r, c in room q; then five emits with except, and what each client got. */
async function scenario(side: Side, kind: ClientKind): Promise<Record<string, unknown[][]>> {
  const io = side.io as any;
  const sockets: Record<string, any> = {};
  io.on('connection', (socket: any) => {
    sockets[socket.handshake.query.name] = socket;
  });
  const clients: Record<string, TestClient> = {};
  for (const name of NAMES) {
    const client = kind.connect(side.url, '/', { transports: ['websocket'], query: { name } });
    onCleanup(() => client.raw.close());
    clients[name] = await client.ready();
  }
  const { a, b, c } = sockets;
  a.join('r');
  b.join('r');
  c.join('q');
  const got = Object.fromEntries(NAMES.map((name) => [name, clients[name].collect('m')]));
  const done = NAMES.map((name) => clients[name].next('done'));
  io.except('q').emit('m', 1);
  io.to('r').except(b.id).emit('m', 2);
  a.except('q').emit('m', 3);
  io.of('/').except(['q', 'r']).emit('m', 4);
  a.to('q').except('r').emit('m', 5);
  io.emit('done');
  await Promise.all(done);
  return got;
}

const EXPECTED = { a: [[1], [2]], b: [[1], [3]], c: [[5]] };

it.skipIf(isReference)('except(room) leaves out the same sockets as socket.io 4 (socket.io-client 4.x)', async () => {
  const theirs = await scenario(await startSide('socket.io 4'), clientV4);
  expect(theirs).toEqual(EXPECTED);
  expect(await scenario(await startSide('iostate'), clientV4)).toEqual(theirs);
});

it.skipIf(isReference)('except(room) works the same for a 2.x client (socket.io 2.5.1 has no except)', async () => {
  expect(await scenario(await startSide('iostate'), clientV2)).toEqual(EXPECTED);
});
