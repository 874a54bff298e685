/**
 * Property tests of the projections: random lifecycle sequences keep the
 * room invariants, and a log written to JSONL replays to the live state,
 * at the end and at every intermediate time.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventLog } from '../../src/log/event-log';
import type { LogEventInput } from '../../src/log/events';
import { JsonlFileSink } from '../../src/log/file-sink';
import { projectionSnapshot, type ProjectionSnapshot } from '../../src/log/projections';
import { readLog } from '../../src/log/read-log';
import { replay } from '../../src/log/replay';

const socketId = fc.constantFrom('a', 'b', 'c', 'd');
const nsp = fc.constantFrom('/', '/chat');
const sid = fc.constantFrom('e1', 'e2', 'e3');
const room = fc.constantFrom('r1', 'r2', 'r3');

/** One step of a scenario: the events the server records for it. */
const step: fc.Arbitrary<LogEventInput[]> = fc.oneof(
  sid.map((sid): LogEventInput[] => [
    {
      type: 'conn.open',
      sid,
      protocol: 4,
      transport: 'polling',
      remoteAddress: '::1',
      pingInterval: 25000,
      pingTimeout: 20000,
      upgradeTimeout: 10000,
      maxPayload: 1e6,
      upgrades: ['websocket'],
    },
  ]),
  fc
    .tuple(sid, fc.constantFrom('transport close', 'ping timeout', 'forced close'))
    .map(([sid, reason]): LogEventInput[] => [{ type: 'conn.close', sid, reason, initiator: 'server', transport: 'polling' }]),
  sid.map((sid): LogEventInput[] => [{ type: 'conn.upgrade', sid, step: 'upgraded', to: 'websocket' }]),
  fc.tuple(sid, socketId, nsp).map(([sid, socketId, nsp]): LogEventInput[] => [
    { type: 'socket.connect', sid, socketId, nsp, protocol: 5 },
    { type: 'room.join', socketId, nsp, room: socketId },
  ]),
  fc.tuple(socketId, nsp, room).map(([socketId, nsp, room]): LogEventInput[] => [{ type: 'room.join', socketId, nsp, room }]),
  fc.tuple(socketId, nsp, room).map(([socketId, nsp, room]): LogEventInput[] => [{ type: 'room.leave', socketId, nsp, room }]),
  fc
    .tuple(socketId, nsp, fc.constantFrom('client namespace disconnect', 'transport close'))
    .map(([socketId, nsp, reason]): LogEventInput[] => [{ type: 'socket.disconnect', socketId, nsp, reason, initiator: 'client' }]),
  fc.constant<LogEventInput[]>([{ type: 'server.start', path: '/socket.io', settings: {} }]),
);

const scenario = fc.array(step, { maxLength: 60 }).map((steps) => steps.flat());

function checkRoomInvariants(log: EventLog): void {
  const rooms = log.projections.rooms;
  for (const ns of rooms.namespaces()) {
    const connected = new Set(rooms.socketIds(ns));
    for (const name of rooms.roomNames(ns)) {
      const members = rooms.membersOf(ns, name)!;
      expect(members.size).toBeGreaterThan(0);
      for (const member of members) {
        expect(connected.has(member)).toBe(true);
        expect(rooms.roomsOf(ns, member)?.has(name)).toBe(true);
      }
    }
    for (const id of connected) {
      for (const name of rooms.roomsOf(ns, id)!) expect(rooms.membersOf(ns, name)?.has(id)).toBe(true);
    }
  }
  // The sessions projection agrees with the rooms projection on who is connected and where.
  for (const socket of log.projections.sessions.sockets()) {
    const joined = rooms.roomsOf(socket.nsp, socket.socketId);
    if (socket.status === 'connected') expect([...socket.rooms].sort()).toEqual([...joined!].sort());
    else expect(joined).toBeUndefined();
  }
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iostate-properties-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('projection properties', () => {
  it('no disconnected socket is in a room, no room is empty, both directions and both projections agree', () => {
    fc.assert(
      fc.property(scenario, (inputs) => {
        const log = new EventLog({ node: 'n1', capacity: false });
        const disconnected = new Set<string>();
        for (const input of inputs) {
          log.record(input);
          if (input.type === 'socket.disconnect') disconnected.add(`${input.nsp} ${input.socketId}`);
          if (input.type === 'socket.connect') disconnected.delete(`${input.nsp} ${input.socketId}`);
          checkRoomInvariants(log);
        }
        for (const key of disconnected) {
          const [ns, id] = key.split(' ') as [string, string];
          expect(log.projections.rooms.roomsOf(ns, id)).toBeUndefined();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('replaying the JSONL file gives the live state, at the end and at every time', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (inputs) => {
        vi.useFakeTimers({ now: Date.UTC(2026, 0, 1), toFake: ['Date'] });
        const file = path.join(dir, `run-${run++}.jsonl`);
        const log = new EventLog({ node: 'n1', sinks: [new JsonlFileSink({ path: file })] });
        const live: { ts: number; snapshot: ProjectionSnapshot }[] = [];
        for (const input of inputs) {
          vi.advanceTimersByTime(1);
          const event = log.record(input);
          live.push({ ts: event.ts, snapshot: projectionSnapshot(log.projections) });
        }
        await log.close();
        vi.useRealTimers();
        const { events, problems } = await readLog(file);
        expect(problems).toEqual([]);
        expect(events).toEqual(log.events());
        expect(projectionSnapshot(replay(events).projections)).toEqual(projectionSnapshot(log.projections));
        for (const { ts, snapshot } of live.filter((_, i) => i % 7 === 0)) {
          expect(projectionSnapshot(replay(events, { at: ts }).projections)).toEqual(snapshot);
        }
      }),
      { numRuns: 60 },
    );
  });
});
