// socket.broadcast and socket.to(room) leave out the sending socket by its
// id: in socket.io 2.5.1 another socket that joined a room named after the
// sender's id still gets them (socket.io 4 leaves out that room's members).
// Found by random-scenarios.differential.test.ts.
import { expect } from 'vitest';
import { itMatchesReference } from './harness/match-reference';
import { join } from './harness';

itMatchesReference(
  'a socket in a room named after the sender’s id still gets the sender’s broadcasts',
  async (side, kind) => {
    const fixture = await side.start();
    const sender = await fixture.pair(kind);
    const other = await fixture.pair(kind);
    await join(other.socket, sender.socket.id);
    await join(sender.socket, 'r');
    await join(other.socket, 'r');
    const got = other.client.collect('m');
    const marker = other.client.next('marker');
    sender.socket.broadcast.emit('m', 'broadcast');
    sender.socket.to('r').emit('m', 'to r');
    sender.socket.to(sender.socket.id).emit('m', 'to its own room');
    fixture.io.emit('marker');
    await marker;
    return got;
  },
  { reference: (got) => expect(got).toEqual([['broadcast'], ['to r'], ['to its own room']]) },
);
