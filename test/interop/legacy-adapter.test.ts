// Adapters written for socket.io 2 plug in unchanged: a subclass of
// socket.io-adapter 1.x keeps its own rooms, encodes each broadcast once with
// `nsp.server.encoder` and writes the parts with `socket.packet(parts,
// { preEncoded: true, volatile, compress })` on `nsp.connected[id]`. The same
// scenarios run against socket.io 2.5.1 (IOSTATE_INTEROP_TARGET=socket.io-v2).
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { clientsOf, forEachClient, join, leave, sleep, startServer, waitUntil, withTimeout } from './harness';
import { isReference } from './harness/target';

/** socket.io-adapter 1.x, the base class of socket.io 2's adapters (socket.io-redis 5 among them). */
const LegacyAdapter: new (nsp: any) => any = createRequire(createRequire(import.meta.url).resolve('socket.io-v2'))('socket.io-adapter');

interface Seen {
  broadcasts: Array<{ type: number; rooms: string[]; except: string[] }>;
  written: Array<{ preEncoded: boolean; parts: number }>;
}

/** A socket.io 2 adapter as users wrote them: it only observes, then lets socket.io-adapter do the work. */
function observingAdapter(seen: Seen) {
  return class ObservingAdapter extends LegacyAdapter {
    broadcast(packet: { type: number }, opts: { rooms?: string[]; except?: string[] }) {
      seen.broadcasts.push({ type: packet.type, rooms: opts.rooms ?? [], except: opts.except ?? [] });
      const connected = this.nsp.connected as Record<string, { packet(parts: unknown[], opts: { preEncoded?: boolean }): void }>;
      for (const socket of Object.values(connected)) {
        if (Object.prototype.hasOwnProperty.call(socket, 'packet')) continue;
        const write = socket.packet;
        socket.packet = function (parts, options) {
          seen.written.push({ preEncoded: options?.preEncoded === true, parts: Array.isArray(parts) ? parts.length : 0 });
          return write.call(this, parts, options);
        };
      }
      return super.broadcast(packet, opts);
    }
  };
}

async function legacyFixture() {
  const seen: Seen = { broadcasts: [], written: [] };
  const fixture = await startServer({ adapter: observingAdapter(seen) });
  return { fixture, seen };
}

const bytes = (value: unknown) => [...new Uint8Array(value as ArrayBuffer)];

forEachClient((kind) => {
  it("joins and leaves go through the adapter's own rooms and sids, and socket.rooms follows them", async () => {
    const { fixture } = await legacyFixture();
    const adapter = fixture.io.of('/').adapter as any;
    expect(adapter).toBeInstanceOf(LegacyAdapter);
    const { socket } = await fixture.pair(kind);
    expect(await join(socket, ['red', 'blue'])).toBeNull();
    expect(Object.keys(adapter.rooms.red.sockets)).toEqual([socket.id]);
    expect(adapter.sids[socket.id]).toEqual({ [socket.id]: true, red: true, blue: true });
    expect(Object.keys(socket.rooms).sort()).toEqual([socket.id, 'blue', 'red'].sort());
    expect(await leave(socket, 'red')).toBeNull();
    expect(adapter.rooms.red).toBeUndefined();
    expect(Object.keys(socket.rooms).sort()).toEqual([socket.id, 'blue'].sort());
  });

  it('a room broadcast is encoded once and written pre-encoded to each member only, binary included', async () => {
    const { fixture, seen } = await legacyFixture();
    const { client: member, socket } = await fixture.pair(kind);
    const { client: other } = await fixture.pair(kind);
    await join(socket, 'room');
    const received = member.next('news');
    const strayed = other.collect('news');
    fixture.io.to('room').emit('news', 'hello', Buffer.from([1, 2, 3]));
    const [text, payload] = await received;
    expect(text).toBe('hello');
    expect(bytes(payload)).toEqual([1, 2, 3]);
    // A BINARY_EVENT, as socket.io 2.5.1 types it: the text part and one attachment.
    expect(seen.broadcasts).toEqual([{ type: 5, rooms: ['room'], except: [] }]);
    expect(seen.written).toEqual([{ preEncoded: true, parts: 2 }]);
    await sleep(50);
    expect(strayed).toEqual([]);
  });

  it('binary(false): the adapter gets an EVENT and the encoder writes the Buffer as JSON', async () => {
    const { fixture, seen } = await legacyFixture();
    const { client } = await fixture.pair(kind);
    const received = client.next('news');
    fixture.io
      .of('/')
      .binary(false)
      .emit('news', Buffer.from([7]));
    expect(await received).toEqual([{ type: 'Buffer', data: [7] }]);
    expect(seen.broadcasts).toEqual([{ type: 2, rooms: [], except: [] }]);
    expect(seen.written).toEqual([{ preEncoded: true, parts: 1 }]);
  });

  it('socket.broadcast.emit reaches everyone but the sender; text stays an EVENT', async () => {
    const { fixture, seen } = await legacyFixture();
    const { client: sender, socket } = await fixture.pair(kind);
    const { client: other } = await fixture.pair(kind);
    const toSender = sender.collect('news');
    const received = other.next('news');
    socket.broadcast.emit('news', { from: 'a socket' });
    expect(await received).toEqual([{ from: 'a socket' }]);
    expect(seen.broadcasts).toEqual([{ type: 2, rooms: [], except: [socket.id] }]);
    await sleep(50);
    expect(toSender).toEqual([]);
  });

  it('clients() lists from the adapter; a disconnected socket leaves every room', async () => {
    const { fixture } = await legacyFixture();
    const adapter = fixture.io.of('/').adapter as any;
    const { socket: first } = await fixture.pair(kind);
    const { client: second, socket: secondSocket } = await fixture.pair(kind);
    await join(first, 'room');
    await join(secondSocket, 'room');
    expect(await clientsOf(fixture.io.of('/').in('room'))).toEqual([first.id, secondSocket.id].sort());
    second.disconnect();
    await withTimeout(
      waitUntil(() => !adapter.sids[secondSocket.id]),
      2000,
      'the adapter to forget the socket',
    );
    expect(Object.keys(adapter.rooms.room.sockets)).toEqual([first.id]);
    expect(await clientsOf(fixture.io.of('/'))).toEqual([first.id]);
    expect(Object.keys(secondSocket.rooms)).toEqual([]);
  });

  it('volatile and compress flags reach the adapter and the packet options', async () => {
    const { fixture } = await legacyFixture();
    const flags: unknown[] = [];
    const adapter = fixture.io.of('/').adapter as any;
    const broadcast = adapter.broadcast;
    adapter.broadcast = function (packet: unknown, opts: { flags?: unknown }) {
      flags.push(opts.flags);
      return broadcast.call(this, packet, opts);
    };
    const { client } = await fixture.pair(kind);
    const received = client.next('news');
    fixture.io.compress(false).emit('news', 1);
    expect(await received).toEqual([1]);
    fixture.io.volatile.emit('news', 2);
    expect(flags).toEqual([expect.objectContaining({ compress: false }), expect.objectContaining({ volatile: true })]);
  });
});

it.skipIf(isReference)("iostate's log and inspector see the rooms of a socket.io 2 adapter", async () => {
  const { fixture } = await legacyFixture();
  const { clientV4 } = await import('./harness');
  const { socket } = await fixture.pair(clientV4);
  await join(socket, 'room');
  const io = fixture.io as any;
  expect([...io.log.projections.rooms.membersOf('/', 'room')]).toEqual([socket.id]);
  expect(
    io.log
      .events()
      .filter((event: { type: string }) => event.type === 'room.join')
      .map((event: { room: string }) => event.room),
  ).toEqual([socket.id, 'room']);
});
