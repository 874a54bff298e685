// Broadcasting: namespace emit, to/in unions, socket.broadcast, flags, and
// both client generations in one room.
import { describe, expect, it } from 'vitest';
import { clientV2, clientV4, forEachClient, isReference, join, sleep, startServer, type Fixture, type TestClient } from './harness';

/** Waits for a marker sent after the broadcast, then returns what each client got. */
async function settle(fixture: Fixture, clients: TestClient[]): Promise<void> {
  const markers = clients.map((client) => client.next('marker'));
  fixture.io.of('/').emit('marker');
  await Promise.all(markers);
}

forEachClient((kind) => {
  it('io.emit and io.sockets.emit reach every socket of the main namespace only', async () => {
    const fixture = await startServer();
    const a = await fixture.pair(kind);
    const b = await fixture.pair(kind);
    const elsewhere = await fixture.pair(kind, '/chat');
    const got = [a, b, elsewhere].map(({ client }) => client.collect('hi'));
    fixture.io.emit('hi', 'everyone');
    fixture.io.sockets.emit('hi', 'again');
    const chatMarker = elsewhere.client.next('marker');
    fixture.io.of('/chat').emit('marker');
    await settle(fixture, [a.client, b.client]);
    await chatMarker;
    expect(got[0]).toEqual([['everyone'], ['again']]);
    expect(got[1]).toEqual([['everyone'], ['again']]);
    expect(got[2]).toEqual([]);
  });

  it('namespace.emit reaches every socket of that namespace', async () => {
    const fixture = await startServer();
    const a = await fixture.pair(kind, '/chat');
    const b = await fixture.pair(kind, '/chat');
    const received = [a.client.next('news'), b.client.next('news')];
    fixture.io.of('/chat').emit('news', { n: 1 });
    expect(await Promise.all(received)).toEqual([[{ n: 1 }], [{ n: 1 }]]);
  });

  it('to(room).to(room2) reaches the union of the rooms, each recipient exactly once', async () => {
    const fixture = await startServer();
    const pairs = await Promise.all([0, 1, 2, 3].map(() => fixture.pair(kind)));
    await join(pairs[0].socket, 'r1');
    await join(pairs[1].socket, ['r1', 'r2']);
    await join(pairs[2].socket, 'r2');
    const got = pairs.map(({ client }) => client.collect('news'));
    fixture.io.to('r1').to('r2').emit('news', 1);
    fixture.io.of('/').in('r2').emit('news', 2);
    await settle(
      fixture,
      pairs.map(({ client }) => client),
    );
    expect(got).toEqual([[[1]], [[1], [2]], [[1], [2]], []]);
  });

  it('socket.broadcast.emit reaches everyone but the sender', async () => {
    const fixture = await startServer();
    const pairs = await Promise.all([0, 1, 2].map(() => fixture.pair(kind)));
    const got = pairs.map(({ client }) => client.collect('news'));
    pairs[0].socket.broadcast.emit('news', 'x');
    await settle(
      fixture,
      pairs.map(({ client }) => client),
    );
    expect(got).toEqual([[], [['x']], [['x']]]);
  });

  it('socket.to(room) excludes the sender even if it is in the room; to(other id) reaches that socket', async () => {
    const fixture = await startServer();
    const pairs = await Promise.all([0, 1, 2].map(() => fixture.pair(kind)));
    await join(pairs[0].socket, 'r');
    await join(pairs[1].socket, 'r');
    const got = pairs.map(({ client }) => client.collect('news'));
    expect(pairs[0].socket.to('r')).toBe(pairs[0].socket);
    pairs[0].socket.to('r').emit('news', 'room');
    pairs[0].socket.in(pairs[2].socket.id).emit('news', 'private');
    await settle(
      fixture,
      pairs.map(({ client }) => client),
    );
    expect(got).toEqual([[], [['room']], [['private']]]);
  });

  it('rooms and flags apply to one emission only', async () => {
    const fixture = await startServer();
    const pairs = await Promise.all([0, 1].map(() => fixture.pair(kind)));
    await join(pairs[0].socket, 'r');
    const got = pairs.map(({ client }) => client.collect('news'));
    fixture.io.to('r').emit('news', 'room only');
    fixture.io.emit('news', 'everyone');
    pairs[0].socket.broadcast.emit('news', 'not to self');
    pairs[0].socket.to('r').emit('news', 'room but self');
    pairs[0].socket.emit('news', 'self only');
    await settle(
      fixture,
      pairs.map(({ client }) => client),
    );
    expect(got[0]).toEqual([['room only'], ['everyone'], ['self only']]);
    expect(got[1]).toEqual([['everyone'], ['not to self']]);
  });

  it('acknowledgements are refused when broadcasting', async () => {
    const fixture = await startServer();
    const { socket } = await fixture.pair(kind);
    const ack = () => undefined;
    expect(() => fixture.io.emit('news', ack)).toThrow(/not supported when broadcasting/);
    expect(() => fixture.io.to('r').emit('news', ack)).toThrow(/not supported when broadcasting/);
    expect(() => socket.broadcast.emit('news', ack)).toThrow(/not supported when broadcasting/);
    expect(() => socket.to('r').emit('news', ack)).toThrow(/not supported when broadcasting/);
  });

  it('broadcast flags volatile, binary, local and compress deliver to ready clients', async () => {
    const fixture = await startServer();
    const pairs = await Promise.all([0, 1].map(() => fixture.pair(kind, '/', { transports: ['websocket'] })));
    const got = pairs.map(({ client }) => client.collect('f'));
    fixture.io.volatile.emit('f', 'volatile');
    fixture.io.binary(false).emit('f', 'binary-false');
    fixture.io.local.emit('f', 'local');
    fixture.io.of('/').compress(false).emit('f', 'uncompressed');
    await settle(
      fixture,
      pairs.map(({ client }) => client),
    );
    for (const events of got) expect(events).toEqual([['volatile'], ['binary-false'], ['local'], ['uncompressed']]);
  });

  it('a broadcast with Buffers reaches every recipient intact', async () => {
    const fixture = await startServer();
    const pairs = await Promise.all([0, 1].map(() => fixture.pair(kind)));
    const received = pairs.map(({ client }) => client.next('bin'));
    fixture.io.emit('bin', { data: Buffer.from([1, 2, 3]) });
    for (const [payload] of await Promise.all(received)) expect([...new Uint8Array(payload.data)]).toEqual([1, 2, 3]);
  });

  it('namespace.volatile.emit is dropped, not queued, for a polling client in the middle of a cycle', async () => {
    const fixture = await startServer();
    const { client } = await fixture.pair(kind, '/', { transports: ['polling'] });
    const got = client.collect('v');
    // Non-volatile packets fill the pending response; volatile ones sent while it is in flight are dropped.
    for (let i = 0; i < 20; i++) {
      fixture.io.emit('filler', i);
      fixture.io.volatile.emit('v', i);
    }
    await sleep(50);
    await settle(fixture, [client]);
    expect(got.length).toBeLessThan(20);
  });
});

describe.skipIf(isReference)('socket.io-client 2.x and 4.x on one iostate server', () => {
  it('both generations in one room receive the same broadcast, and see each other via socket.broadcast', async () => {
    const fixture = await startServer();
    const old = await fixture.pair(clientV2);
    const modern = await fixture.pair(clientV4);
    await join(old.socket, 'mixed');
    await join(modern.socket, 'mixed');
    const received = [old.client.next('news'), modern.client.next('news')];
    fixture.io.to('mixed').emit('news', { text: 'same', bytes: Buffer.from([5]) });
    for (const [payload] of await Promise.all(received)) {
      expect(payload.text).toBe('same');
      expect([...new Uint8Array(payload.bytes)]).toEqual([5]);
    }
    const toModern = modern.client.next('relay');
    old.socket.broadcast.emit('relay', 'from 2.x');
    expect(await toModern).toEqual(['from 2.x']);
  });
});
