/**
 * Room names built from client strings (`socket.on('join', (name) =>
 * socket.join(name))`) cannot make the server's room lookups quadratic. V8
 * hashes a string past 16,383 characters by its length alone, so a
 * thousand such names of one length made every lookup compare them all;
 * the collections keyed by room names now take them by digest
 * (src/log/projections/room-keys.ts). Routing stays exact and the public
 * API gives the names back, on both faces.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import ioV2 from 'socket.io-client-v2';
import socketIoV2 from 'socket.io-v2';
import { io as ioV4 } from 'socket.io-client';
import iostate from '../../src';
import { roomKey } from '../../src/log/projections/room-keys';
import { Server as IostateV4 } from '../../src/v4';
import { until } from './helpers/server';

type Face = '2.x' | 'v4';

interface Client {
  /** What the server's emits to rooms brought: the end of each room name. */
  readonly received: string[];
  ask(event: string, names: string[]): Promise<void>;
  close(): void;
}

interface Running {
  connect(): Promise<Client>;
  /** Ends of the room names of the server-side socket of the latest client, from `socket.rooms`. */
  socketRooms(): string[];
  /** Each room (by its name's end) → its members' ids, from `adapter.rooms`. */
  adapterRooms(): Map<string, string[]>;
  stop(): Promise<void>;
}

const LONG = 20_000;
const BATCH = 40; // 800 kB a message, under maxHttpBufferSize
/** A name's length and last characters: enough to tell them apart, and a failure prints no 20,000-character names. */
const end = (name: string) => `${name.length}:${name.slice(-8)}`;
const named = (length: number, i: number) => `${'r'.repeat(length - 8)}${String(i).padStart(8, '0')}`;

let running: Running | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function start(face: Face): Promise<Running> {
  const http = createServer();
  const clients: Client[] = [];
  let latest: any;
  const onConnection = (io: any) => (socket: any) => {
    latest = socket;
    socket.on('join', (names: string[], ack: () => void) => {
      for (const name of names) socket.join(name);
      ack();
    });
    socket.on('leave', (names: string[], ack: () => void) => {
      for (const name of names) socket.leave(name);
      ack();
    });
    socket.on('emit', (names: string[], ack: () => void) => {
      for (const name of names) io.to(name).emit('m', end(name));
      ack();
    });
  };
  let io: any;
  if (face === '2.x') {
    io = iostate(http);
    io.on('connection', onConnection(io));
  } else {
    io = new IostateV4(http);
    io.on('connection', onConnection(io));
  }
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    async connect() {
      const options = { transports: ['websocket'], forceNew: true, reconnection: false };
      const raw: any = face === '2.x' ? ioV2(url, options) : ioV4(url, options as object);
      await new Promise<void>((resolve, reject) => {
        raw.once('connect', resolve);
        raw.once('connect_error', reject);
      });
      const received: string[] = [];
      raw.on('m', (name: string) => received.push(name));
      const client: Client = {
        received,
        async ask(event, names) {
          for (let i = 0; i < names.length; i += BATCH) await new Promise<void>((resolve) => raw.emit(event, names.slice(i, i + BATCH), () => resolve()));
        },
        close: () => raw.close(),
      };
      clients.push(client);
      return client;
    },
    socketRooms() {
      const rooms = latest.rooms;
      return (face === '2.x' ? Object.keys(rooms) : [...rooms]).map(end);
    },
    adapterRooms() {
      const rooms = io.of('/').adapter.rooms;
      const entries: [string, string[]][] =
        face === '2.x'
          ? Object.entries(rooms as Record<string, { sockets: Record<string, boolean> }>).map(([name, room]) => [name, Object.keys(room.sockets)])
          : [...(rooms as Map<string, Set<string>>)].map(([name, members]) => [name, [...members]]);
      return new Map(entries.map(([name, members]) => [end(name), members.sort()]));
    },
    stop: async () => {
      for (const client of clients) client.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      http.closeAllConnections();
    },
  };
}

/** ms for one client to join `names`, have the server emit to each, and leave them. */
async function roundTrip(names: string[]): Promise<number> {
  const client = await running!.connect();
  const started = performance.now();
  await client.ask('join', names);
  await client.ask('emit', names);
  await until(() => client.received.length === names.length, 'every emit to arrive', 60_000);
  await client.ask('leave', names);
  const took = performance.now() - started;
  client.close();
  return took;
}

for (const face of ['2.x', 'v4'] as Face[]) {
  describe(`long room names (${face} face)`, () => {
    it('route exactly: names of one length that differ in the last character are different rooms', async () => {
      running = await start(face);
      const [a, b] = [named(LONG, 1), named(LONG, 2)];
      // A short name shaped like a's internal key: it must not reach a's members.
      const posing = roomKey(a);
      const alice = await running.connect();
      await alice.ask('join', [a, posing]);
      const bob = await running.connect();
      await bob.ask('join', [b]);
      expect(running.socketRooms().slice(1)).toEqual([end(b)]);
      // The own room of each socket (20-character ids) left out.
      const rooms = running.adapterRooms();
      expect([...rooms.keys()].filter((name) => !name.startsWith('20:'))).toEqual([end(a), end(posing), end(b)]);

      await alice.ask('emit', [a, b, posing]);
      await until(() => alice.received.length === 2 && bob.received.length === 1, 'the three emits');
      expect(alice.received).toEqual([end(a), end(posing)]);
      expect(bob.received).toEqual([end(b)]);

      await bob.ask('join', [a]);
      expect(running.adapterRooms().get(end(a))).toHaveLength(2);
      await alice.ask('leave', [a]);
      await alice.ask('emit', [a]);
      await until(() => bob.received.length === 2, 'the emit to a');
      expect(bob.received).toEqual([end(b), end(a)]);
      expect(running.adapterRooms().get(end(a))).toHaveLength(1);
      await bob.ask('leave', [a, b]);
      expect(running.socketRooms()).toHaveLength(1);
      expect([...running.adapterRooms().keys()].filter((name) => !name.startsWith('20:'))).toEqual([end(posing)]);
      expect(alice.received).toEqual([end(a), end(posing)]);
    });

    it('cost about as much whether they share one length or not', { timeout: 120_000 }, async () => {
      running = await start(face);
      const count = 1000;
      // As many characters in all, each name of its own length: V8 tells those apart by their hashes.
      const apart = Array.from({ length: count }, (_, i) => named(LONG - count + i, i));
      const collide = Array.from({ length: count }, (_, i) => named(LONG, i));
      // The least of two runs each: a loaded machine only adds time.
      const distinct = Math.min(await roundTrip(apart), await roundTrip(apart));
      const same = Math.min(await roundTrip(collide), await roundTrip(collide));
      // Before the digest keys: about 8 times slower (each lookup compared every name); now about even.
      expect(same).toBeLessThan(distinct * 3 + 200);
    });
  });
}

/**
 * A socket's rooms as a list come from the projection, in join order, never
 * from an object keyed by names (slow to build from long names). socket.io
 * 2.5.1 lists `Object.keys`, integer-like names first (docs/differences.md).
 */
describe("a socket's rooms as a list", () => {
  it('are in join order, where socket.io 2.5.1 puts integer-like names first', async () => {
    const listed = async (factory: (http: ReturnType<typeof createServer>) => any) => {
      const http = createServer();
      const io = factory(http);
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      const rooms = new Promise<string[]>((resolve) =>
        io.on('connection', (socket: any) =>
          socket.join(['b', '1', 'a'], () =>
            io.of('/').adapter.clientRooms(socket.id, (_: unknown, list: string[]) => resolve(list.map((room) => (room === socket.id ? 'own' : room)))),
          ),
        ),
      );
      const client = ioV2(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'], forceNew: true, reconnection: false });
      try {
        return await rooms;
      } finally {
        client.close();
        await new Promise<void>((resolve) => io.close(() => resolve()));
        http.closeAllConnections();
      }
    };
    expect(await listed((http) => iostate(http))).toEqual(['own', 'b', '1', 'a']);
    expect(await listed((http) => socketIoV2(http))).toEqual(['1', 'own', 'b', 'a']);
  });
});
