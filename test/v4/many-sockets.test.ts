// Acting on many sockets on one node with iostate/v4, compared with socket.io
// 4.8: fetchSockets, socketsJoin, socketsLeave and disconnectSockets, on the
// server, on a namespace and on an operator.
import { describe, expect, it } from 'vitest';
import type { Socket } from '../../src/v4';
import { connected, delay, differential, next, type Side } from './harness';

async function peers(side: Side, count: number, nsp = '/'): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i++) {
    const connection = next<[Socket]>(side.io.of(nsp), 'connection');
    const client = side.client(nsp, { auth: { n: i } });
    const [socket] = await connection;
    await connected(client);
    socket.data = { n: i };
    sockets.push(socket);
  }
  return sockets;
}

describe('iostate/v4 operations on many sockets, compared with socket.io 4.8', () => {
  it('fetchSockets gives the local sockets themselves, with id, handshake, rooms and data; the operator selects', async () => {
    const { ours, theirs } = await differential(async (side) => {
      const [s0, s1, s2] = await peers(side, 3);
      s0.join('red');
      s1.join(['red', 'blue']);
      s2.join('blue');
      const describe = (found: unknown[]) =>
        (found as Socket[])
          .map((socket) => ({
            n: socket.data.n,
            auth: socket.handshake.auth,
            rooms: [...socket.rooms].filter((room) => room !== socket.id).sort(),
            same: [s0, s1, s2].includes(socket),
          }))
          .sort((a, b) => a.n - b.n);
      return {
        all: describe(await side.io.fetchSockets()),
        red: describe(await side.io.in('red').fetchSockets()),
        redNotBlue: describe(await side.io.in('red').except('blue').fetchSockets()),
        nsp: describe(await side.io.of('/').to('blue').fetchSockets()),
        none: describe(await side.io.in('green').fetchSockets()),
      };
    });
    expect(ours).toEqual(theirs);
    expect(ours.redNotBlue).toEqual([{ n: 0, auth: { n: 0 }, rooms: ['red'], same: true }]);
  });

  it('socketsJoin, socketsLeave and disconnectSockets on the server, a namespace and an operator', async () => {
    const { ours, theirs } = await differential(async (side) => {
      const [s0, s1, s2] = await peers(side, 3);
      const [c0] = await peers(side, 1, '/chat');
      s0.join('red');
      side.io.socketsJoin('everyone');
      side.io.in('red').socketsJoin(['was-red', 'x']);
      side.io.of('/chat').socketsJoin('chatters');
      side.io.except('red').socketsLeave('everyone');
      const roomsOf = (socket: Socket) => [...socket.rooms].filter((room) => room !== socket.id).sort();
      const rooms = [s0, s1, s2, c0].map(roomsOf);
      const reasons: string[] = [];
      for (const socket of [s0, s1, s2, c0]) socket.on('disconnect', (reason) => reasons.push(`${socket.data.n}@${socket.nsp.name}:${reason}`));
      side.io.in('x').disconnectSockets();
      await delay(50);
      const afterOne = { sockets: side.io.sockets.sockets.size, chat: side.io.of('/chat').sockets.size };
      side.io.of('/chat').disconnectSockets(true);
      await delay(50);
      return { rooms, afterOne, reasons: reasons.sort(), after: { sockets: side.io.sockets.sockets.size, chat: side.io.of('/chat').sockets.size } };
    });
    expect(ours).toEqual(theirs);
    expect(ours.rooms).toEqual([['everyone', 'red', 'was-red', 'x'], [], [], ['chatters']]);
  });
});
