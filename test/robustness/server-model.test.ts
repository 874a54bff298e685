/**
 * Model-based test of the whole server: fast-check drives a fresh server
 * with arbitrary sequences of client commands from real 2.x and 4.x clients
 * (connect over polling, WebSocket or with an upgrade, join, leave, emit
 * with an ack, ask the server for bursts and acks, upload bursts, broadcast to a room,
 * open and leave a second namespace over the same connection,
 * disconnect from either side, drop the network, stop answering pings), and
 * after every command and at the end checks the architecture's invariants
 * (helpers/invariants.ts) plus the data plane's: every server → client
 * message arrives in the order it was sent (and every client → server one),
 * a session cut off from its client ends within its heartbeat bound, a client that stays connected
 * gets every message meant for it, and every ack fires at most once (exactly
 * once for a client that stays connected).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Socket } from '../../src/actors/socket';
import { checkInvariants } from './helpers/invariants';
import { connectClient, connected, type ClientGeneration, type TransportChoice } from './helpers/clients';
import { FaultProxy } from './helpers/fault-proxy';
import { SHORT_HEARTBEAT, sleep, startIostate, until, type Running } from './helpers/server';

type Command =
  | { type: 'connect'; generation: ClientGeneration; transport: TransportChoice }
  | { type: 'join' | 'leave'; client: number; room: string }
  | { type: 'echo' | 'ask' | 'client disconnect' | 'drop' | 'silence' | 'sibling' | 'sibling leave'; client: number }
  | { type: 'burst' | 'upload'; client: number; count: number }
  | { type: 'broadcast'; room: string }
  | { type: 'server disconnect'; client: number; close: boolean }
  | { type: 'wait'; ms: number };

const client = fc.nat(4);
const room = fc.constantFrom('a', 'b');
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant('connect' as const),
      generation: fc.constantFrom('v2' as const, 'v4' as const),
      transport: fc.constantFrom('polling' as const, 'websocket' as const, 'upgrade' as const),
    }),
  },
  { weight: 3, arbitrary: fc.record({ type: fc.constantFrom('join' as const, 'leave' as const), client, room }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constantFrom('echo' as const, 'ask' as const), client }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constantFrom('burst' as const, 'upload' as const), client, count: fc.integer({ min: 1, max: 20 }) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('broadcast' as const), room }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constantFrom('client disconnect' as const, 'drop' as const, 'silence' as const), client }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('server disconnect' as const), client, close: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constantFrom('sibling' as const, 'sibling leave' as const), client }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 150 }) }) },
);

interface Peer {
  generation: ClientGeneration;
  raw: any;
  proxy: FaultProxy;
  socketId: string;
  /** The Engine.IO session id (the client forgets it once closed). */
  engineId: string;
  /** Still connected and reachable: it must get everything meant for it. */
  live: boolean;
  received: number[];
  clientAcks: Map<number, number>;
  /** A second namespace (/chat) over the same connection. */
  sibling?: any;
  /** The last number sent with `up` (client → server order). */
  sent: number;
  /** When the network was dropped or silenced: the session must end within its heartbeat bound. */
  cutAt?: number;
}

/** The server side of a run: numbered messages and ack counts, per socket. */
class ServerSide {
  private counter = 0;
  readonly sockets = new Map<string, Socket>();
  readonly expected = new Map<string, number[]>();
  readonly serverAcks = new Map<string, Map<number, number>>();
  /** What each socket's client sent with `up`, in arrival order. */
  readonly uploads = new Map<string, number[]>();

  constructor(readonly running: Running) {
    running.io.on('connection', (socket: Socket) => {
      this.sockets.set(socket.id, socket);
      this.expected.set(socket.id, []);
      this.serverAcks.set(socket.id, new Map());
      socket.on('join', (name: string, ack: () => void) => socket.join(name, () => ack()));
      socket.on('leave', (name: string, ack: () => void) => socket.leave(name, () => ack()));
      socket.on('echo', (n: number, ack: (n: number) => void) => ack(n));
      const uploads: number[] = [];
      this.uploads.set(socket.id, uploads);
      socket.on('up', (n: number) => uploads.push(n));
      socket.on('burst', (count: number) => {
        for (let i = 0; i < count; i++) this.send(socket);
      });
      socket.on('ask', (id: number) => {
        const acks = this.serverAcks.get(socket.id)!;
        acks.set(id, 0);
        socket.emit('question', id, () => acks.set(id, acks.get(id)! + 1));
      });
    });
  }

  send(socket: Socket): void {
    const n = ++this.counter;
    this.expected.get(socket.id)!.push(n);
    socket.emit('n', n);
  }

  broadcast(room: string): void {
    const n = ++this.counter;
    for (const id of this.running.io.log.projections.rooms.membersOf('/', room) ?? []) this.expected.get(id)?.push(n);
    this.running.io.to(room).emit('n', n);
  }
}

async function connectPeer(running: Running, generation: ClientGeneration, transport: TransportChoice): Promise<Peer> {
  const proxy = await FaultProxy.start(running.port);
  const raw = connectClient(generation, proxy.url, transport);
  const peer: Peer = { generation, raw, proxy, socketId: '', engineId: '', live: true, received: [], clientAcks: new Map(), sent: 0 };
  raw.on('n', (n: number) => peer.received.push(n));
  raw.on('question', (_id: number, answer: () => void) => answer());
  raw.on('disconnect', () => (peer.live = false));
  await connected(raw);
  peer.socketId = raw.id.startsWith('/#') ? raw.id.slice(2) : raw.id;
  peer.engineId = raw.io.engine.id;
  return peer;
}

/** Emits with an ack, counting how often the ack fires; waits for it while the peer is live. */
async function emitWithAck(peer: Peer, id: number, event: string, ...args: unknown[]): Promise<void> {
  peer.clientAcks.set(id, 0);
  peer.raw.emit(event, ...args, () => peer.clientAcks.set(id, peer.clientAcks.get(id)! + 1));
  await until(() => !peer.live || peer.clientAcks.get(id)! > 0, `ack ${id} of "${event}"`);
}

async function run(commands: Command[]): Promise<void> {
  const running = await startIostate();
  const server = new ServerSide(running);
  running.io.of('/chat').on('connection', (socket: Socket) => socket.join('a'));
  const peers: Peer[] = [];
  let ackId = 0;
  try {
    for (const cmd of commands) {
      // Commands address the peers still connected, so most of them do something.
      const live = peers.filter((p) => p.live);
      const target = 'client' in cmd ? live[cmd.client % Math.max(live.length, 1)] : undefined;
      switch (cmd.type) {
        case 'connect':
          peers.push(await connectPeer(running, cmd.generation, cmd.transport));
          break;
        case 'join':
        case 'leave':
          if (target) await emitWithAck(target, ++ackId, cmd.type, cmd.room);
          break;
        case 'echo':
          if (target) await emitWithAck(target, ++ackId, 'echo', ackId);
          break;
        case 'ask':
          if (target) target.raw.emit('ask', ++ackId);
          break;
        case 'burst':
          if (target) target.raw.emit('burst', cmd.count);
          break;
        case 'upload':
          if (target) for (let i = 0; i < cmd.count; i++) target.raw.emit('up', ++target.sent);
          break;
        case 'broadcast':
          server.broadcast(cmd.room);
          break;
        case 'client disconnect':
          if (target) {
            target.raw.disconnect();
            target.live = false;
          }
          break;
        case 'sibling':
          if (target && !target.sibling) {
            target.sibling = target.raw.io.socket('/chat');
            await connected(target.sibling).catch((err: Error) => {
              if (target.live) throw err;
            });
          }
          break;
        case 'sibling leave':
          if (target?.sibling?.connected) target.sibling.disconnect();
          break;
        case 'server disconnect':
          if (target) {
            server.sockets.get(target.socketId)?.disconnect(cmd.close);
            await until(() => !target.live, 'the client to see the server disconnect');
          }
          break;
        case 'drop':
        case 'silence':
          if (target) {
            target.live = false;
            target.cutAt = Date.now();
            if (cmd.type === 'drop') target.proxy.drop();
            else target.proxy.silence();
          }
          break;
        case 'wait':
          await sleep(cmd.ms);
          break;
      }
      checkInvariants(running.io);
    }

    // Everything sent to a peer that stayed connected arrives, in order, and every ack came once.
    for (const peer of peers.filter((p) => p.live)) {
      const expected = server.expected.get(peer.socketId)!;
      await until(() => !peer.live || peer.received.length >= expected.length, `${expected.length} messages to ${peer.socketId}`);
      if (peer.live) expect(peer.received).toEqual(expected);
      const asked = server.serverAcks.get(peer.socketId)!;
      await until(() => !peer.live || [...asked.values()].every((calls) => calls === 1), `server acks of ${peer.socketId}`);
    }
    for (const peer of peers) {
      const expected = new Set(server.expected.get(peer.socketId) ?? []);
      expect(
        peer.received.every((n, i) => expected.has(n) && (i === 0 || n > peer.received[i - 1])),
        `order seen by ${peer.socketId}`,
      ).toBe(true);
      for (const [id, calls] of peer.clientAcks) expect(calls, `client ack ${id}`).toBeLessThanOrEqual(1);
      for (const [id, calls] of server.serverAcks.get(peer.socketId) ?? []) expect(calls, `server ack ${id}`).toBeLessThanOrEqual(1);
    }
    for (const peer of peers.filter((p) => p.live)) for (const [id, calls] of peer.clientAcks) expect(calls, `client ack ${id} of a live peer`).toBe(1);
    // Client → server order: what arrived is in order, and all of it for a peer still connected.
    for (const peer of peers) {
      const uploads = server.uploads.get(peer.socketId) ?? [];
      if (peer.live) await until(() => !peer.live || uploads.length === peer.sent, `${peer.sent} uploads from ${peer.socketId}`);
      expect(
        uploads.every((n, i) => n === i + 1),
        `uploads from ${peer.socketId} in order`,
      ).toBe(true);
    }

    // Left alone, every session ends (silent ones by the heartbeat) and nothing is left behind.
    for (const peer of peers) {
      peer.sibling?.close();
      peer.raw.close();
    }
    await until(() => running.io.engine.clientsCount === 0, 'every session to close', 3000);
    for (const peer of peers) peer.proxy.close();
    checkInvariants(running.io, true);
    // A session cut off from its client ends within its heartbeat bound (plus slack for a loaded machine).
    const bound = SHORT_HEARTBEAT.pingInterval + SHORT_HEARTBEAT.pingTimeout + 1000;
    for (const peer of peers.filter((p) => p.cutAt !== undefined)) {
      const close = running.io.log.events().find((e) => e.type === 'conn.close' && e.sid === peer.engineId);
      expect(close, `close of the cut session ${peer.socketId}`).toBeDefined();
      expect(close!.ts - peer.cutAt!, `how long the cut session ${peer.socketId} outlived its network`).toBeLessThanOrEqual(bound);
    }
    for (const nsp of Object.values(running.io.nsps)) expect(Object.keys(nsp.connected)).toEqual([]);
    expect([...running.io.log.projections.rooms.roomNames('/')]).toEqual([]);
  } finally {
    for (const peer of peers) {
      peer.sibling?.close();
      peer.raw.close();
      peer.proxy.close();
    }
    await running.stop();
  }
}

describe('whole server, arbitrary client command sequences', () => {
  it('keeps every invariant', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 4, maxLength: 16 }), async (commands) => {
        await run([{ type: 'connect', generation: 'v4', transport: 'websocket' }, ...commands]);
      }),
      { numRuns: 15, endOnFailure: true },
    );
  }, 120_000);
});
