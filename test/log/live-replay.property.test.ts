/**
 * The acceptance property of the event log, against a real server: for
 * random client scenarios (2.x and 4.x clients connecting over polling or
 * WebSocket and upgrading, joining and leaving rooms, emitting, leaving by
 * either side, dropping the transport, going silent until the ping timeout),
 * replaying the JSONL log the server wrote gives the server's own state —
 * connected sockets, their rooms, their connections' transports — at sampled
 * times and at the end, and the reasons the live server reported.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLog } from '../../src/log/read-log';
import { replay } from '../../src/log/replay';
import type { EventLog } from '../../src/log/event-log';
import { countersOf } from '../../src/log/projections';
import type { SocketLike } from '../interop/harness/api';
import { allClients, withTimeout, type ClientKind, type TestClient } from '../interop/harness/clients';
import { FAST_HEARTBEAT, closeIo, nextEvent, sleep, startServer, waitUntil, type Fixture } from '../interop/harness/fixture';
import { isReference } from '../interop/harness/target';

type Action =
  | { type: 'connect'; kind: ClientKind; transport: 'polling' | 'websocket' | 'upgrade' }
  | { type: 'join' | 'leave'; client: number; room: string }
  | { type: 'emit'; client: number }
  | { type: 'client disconnect' | 'drop transport' | 'go silent'; client: number }
  | { type: 'server disconnect'; client: number; close: boolean }
  | { type: 'sample' };

const client = fc.nat(3);
const room = fc.constantFrom('red', 'blue');
const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('connect' as const),
      kind: fc.constantFrom(...allClients),
      transport: fc.constantFrom('polling' as const, 'websocket' as const, 'upgrade' as const),
    }),
  },
  { weight: 3, arbitrary: fc.record({ type: fc.constantFrom('join' as const, 'leave' as const), client, room }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('emit' as const), client }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constantFrom('client disconnect' as const, 'drop transport' as const, 'go silent' as const), client }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('server disconnect' as const), client, close: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constant({ type: 'sample' as const }) },
);

interface Peer {
  client: TestClient;
  socket: SocketLike;
  sid: string;
  transport: string;
  live: boolean;
  socketReason?: string;
  connectionReason?: string;
}

/** What the server itself says: connected socket ids on "/", their rooms, and the open connections' transports. */
interface LiveState {
  at: number;
  rooms: Record<string, string[]>;
  transports: Record<string, string>;
}

function liveState(fixture: Fixture, peers: Peer[]): LiveState {
  const rooms: Record<string, string[]> = {};
  const transports: Record<string, string> = {};
  for (const [id, socket] of Object.entries(fixture.io.of('/').connected)) rooms[id] = Object.keys(socket.rooms).sort();
  // A connection outlives its socket when the socket alone left the namespace.
  for (const peer of peers.filter((p) => p.connectionReason === undefined)) transports[peer.sid] = peer.socket.conn.transport.name;
  expect(Object.keys(rooms).sort()).toEqual(
    peers
      .filter((p) => p.live)
      .map((p) => p.socket.id)
      .sort(),
  );
  return { at: Date.now(), rooms, transports };
}

function replayedState(events: Parameters<typeof replay>[0], at: number): Omit<LiveState, 'at'> {
  const result = replay(events, { at });
  const rooms: Record<string, string[]> = {};
  for (const id of result.projections.rooms.socketIds('/')) rooms[id] = [...result.projections.rooms.roomsOf('/', id)!].sort();
  const transports: Record<string, string> = {};
  for (const c of result.connections) if (c.state === 'open' || c.state === 'upgrading') transports[c.id] = c.transports.at(-1)!;
  return { rooms, transports };
}

async function run(fixture: Fixture, actions: Action[]): Promise<{ samples: LiveState[]; peers: Peer[] }> {
  const peers: Peer[] = [];
  const samples: LiveState[] = [];
  // Some transitions follow an action by themselves (a client closes its connection after its last socket left):
  // a sample waits until no lifecycle event but heartbeats came for 50 ms, then clears the millisecond on both sides.
  let lastChange = Date.now();
  const log = (fixture.io as unknown as { log: { subscribe(listener: (event: { type: string }) => void): () => void } }).log;
  const unsubscribe = log.subscribe((event) => {
    if (event.type !== 'conn.heartbeat') lastChange = Date.now();
  });
  const sample = async () => {
    await waitUntil(() => Date.now() - lastChange >= 50);
    await sleep(2);
    samples.push(liveState(fixture, peers));
    await sleep(2);
  };
  const alive = (index: number) => {
    const live = peers.filter((p) => p.live);
    return live.length === 0 ? undefined : live[index % live.length];
  };
  const until = async (peer: Peer, trigger: () => void) => {
    const gone = nextEvent(peer.socket, 'disconnect', 10_000);
    trigger();
    await gone;
  };
  for (const step of actions) {
    if (process.env.DEBUG_LIVE_REPLAY) console.log('step', JSON.stringify({ ...step, kind: step.type === 'connect' ? step.kind.name : undefined }));
    if (step.type === 'connect') {
      if (peers.filter((p) => p.live).length >= 3) continue;
      const transports = step.transport === 'upgrade' ? undefined : [step.transport];
      const { client, socket } = await fixture.pair(step.kind, '/', { transports });
      if (step.transport === 'upgrade') {
        // Whether the upgrade happens is not this property's business (interop tests check it); replay must show what did.
        const upgraded = waitUntil(() => socket.conn.transport.name === 'websocket' && client.transportName === 'websocket');
        await withTimeout(upgraded, 1000, 'no upgrade').catch(() => undefined);
      }
      const peer: Peer = { client, socket, sid: socket.conn.id, transport: socket.conn.transport.name, live: true };
      socket.on('disconnect', (reason: string) => {
        peer.live = false;
        peer.socketReason = reason;
      });
      socket.conn.on('close', (reason: string) => (peer.connectionReason = reason));
      peers.push(peer);
      continue;
    }
    if (step.type === 'sample') {
      await sample();
      continue;
    }
    const peer = alive(step.client);
    if (!peer) continue;
    switch (step.type) {
      case 'join':
        await withTimeout(new Promise((resolve) => peer.socket.join(step.room, resolve)), 10_000, 'join did not call back');
        break;
      case 'leave':
        await withTimeout(new Promise((resolve) => peer.socket.leave(step.room, resolve)), 10_000, 'leave did not call back');
        break;
      case 'emit':
        peer.socket.on('echo', (value: unknown, ack: (v: unknown) => void) => ack(value));
        expect(await peer.client.ack('echo', 42)).toEqual([42]);
        break;
      case 'client disconnect':
        await until(peer, () => peer.client.disconnect());
        break;
      case 'drop transport':
        await until(peer, () => peer.client.dropTransport());
        break;
      case 'go silent':
        if (peer.client.transportName !== 'websocket') break;
        await until(peer, () => peer.client.freeze());
        break;
      case 'server disconnect':
        await until(peer, () => peer.socket.disconnect(step.close));
        break;
    }
  }
  await sample();
  unsubscribe();
  return { samples, peers };
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iostate-live-replay-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(isReference)('replaying the log of a live server', () => {
  it('gives the live state at sampled times and at the end, and the live reasons', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 3, maxLength: 12 }), async (actions) => {
        const file = path.join(dir, `run-${runs++}.jsonl`);
        const fixture = await startServer({ ...FAST_HEARTBEAT, eventLog: { file } });
        try {
          const { samples, peers } = await run(fixture, actions);
          await closeIo(fixture.io);
          await (fixture.io as unknown as { log: { close(): Promise<void> } }).log.close();
          const { events, problems } = await readLog(file);
          expect(problems).toEqual([]);
          for (const sample of samples) {
            const { at, ...live } = sample;
            expect(replayedState(events, at)).toEqual(live);
          }
          const end = replay(events);
          // The totals /metrics exports (closes and disconnects by reason, upgrades, middleware time) fold back the same.
          const log = (fixture.io as unknown as { log: EventLog }).log;
          expect(countersOf(end.state.counters, log.node)).toEqual(countersOf(log.projections.counters, log.node));
          for (const peer of peers.filter((p) => p.socketReason !== undefined)) {
            expect(end.sockets.find((s) => s.id === peer.socket.id)?.reason).toBe(peer.socketReason);
          }
          for (const peer of peers.filter((p) => p.connectionReason !== undefined)) {
            expect(end.connections.find((c) => c.id === peer.sid)?.reason).toBe(peer.connectionReason);
          }
        } finally {
          await closeIo(fixture.io);
        }
      }),
      { numRuns: 12, endOnFailure: true, interruptAfterTimeLimit: 90_000 },
    );
  }, 120_000);
});
