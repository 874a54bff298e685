/**
 * The architecture's invariants, checked against a live server:
 * - replaying `io.log.events()` through the same folds gives the live
 *   projections (rooms and sessions), which agree with the live objects;
 * - no room is empty, every member of a room is a connected socket, and a
 *   disconnected socket is in no room;
 * - every session opened closes at most once (exactly once when `settled`),
 *   with one reason and one initiator, and leaves no socket connected in
 *   any namespace; no socket disconnects twice.
 */
import { expect } from 'vitest';
import { emptyProjections, foldAll, projectionsView, type Projections, type SessionRecord } from '../../../src/log/projections';
import { DEFAULT_RETAIN_CLOSED } from '../../../src/log/event-log';
import type { LogEvent } from '../../../src/log/events';
import type { Server } from '../../../src/actors/server';

export function replayed(events: readonly LogEvent[]): Projections {
  const state = emptyProjections(DEFAULT_RETAIN_CLOSED);
  for (const event of events) foldAll(state, event);
  return projectionsView(state);
}

/** The sessions the live projection holds, and those a replay of the log folds: equal while the ring kept the whole run. */
export function expectLiveEqualsReplay(running: { io: Server }): void {
  expect(running.io.log.events()[0]?.seq, 'the ring kept the whole run').toBe(1);
  const sessions = (list: Iterable<SessionRecord>) => Object.fromEntries([...list].map((s) => [s.sid, s]));
  expect(sessions(replayed(running.io.log.events()).sessions.sessions())).toEqual(sessions(running.io.log.projections.sessions.sessions()));
}

function roomsOf(view: Projections, nsp: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const id of view.rooms.socketIds(nsp)) out[id] = [...view.rooms.roomsOf(nsp, id)!].sort();
  return out;
}

function membersOf(view: Projections, nsp: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const room of view.rooms.roomNames(nsp)) out[room] = [...view.rooms.membersOf(nsp, room)!].sort();
  return out;
}

function byKey<T>(items: Iterable<T>, key: (item: T) => string): Record<string, T> {
  const out: Record<string, T> = {};
  for (const item of items) out[key(item)] = item;
  return out;
}

/** Checks every invariant; with `settled`, also that every session has closed. */
export function checkInvariants(io: Server, settled = false): void {
  const events = io.log.events();
  expect(events[0]?.seq, 'the ring kept the whole run').toBe(1);
  const live = io.log.projections;
  const replay = replayed(events);

  const namespaces = new Set([...live.rooms.namespaces(), ...replay.rooms.namespaces()]);
  for (const nsp of namespaces) {
    expect(roomsOf(replay, nsp), `replayed sockets' rooms of ${nsp}`).toEqual(roomsOf(live, nsp));
    expect(membersOf(replay, nsp), `replayed members of ${nsp}`).toEqual(membersOf(live, nsp));
    for (const [room, members] of Object.entries(membersOf(live, nsp))) {
      expect(members.length, `room ${room} of ${nsp} is empty`).toBeGreaterThan(0);
      for (const member of members) expect(live.rooms.roomsOf(nsp, member), `${member} in ${room} is not connected`).toBeDefined();
    }
  }
  expect(byKey(replay.sessions.sessions(), (s) => s.sid)).toEqual(byKey(live.sessions.sessions(), (s) => s.sid));
  expect(byKey(replay.sessions.sockets(), (s) => `${s.nsp}|${s.socketId}`)).toEqual(byKey(live.sessions.sockets(), (s) => `${s.nsp}|${s.socketId}`));

  // The live objects agree with the projection.
  for (const [name, nsp] of Object.entries(io.nsps)) {
    expect(Object.keys(nsp.connected).sort(), `connected sockets of ${name}`).toEqual(Object.keys(roomsOf(live, name)).sort());
    for (const socket of Object.values(nsp.connected)) expect(socket.connected).toBe(true);
  }

  const opened = new Set<string>();
  const closes = new Map<string, number>();
  const disconnects = new Map<string, number>();
  for (const event of events) {
    if (event.type === 'conn.open') opened.add(event.sid);
    if (event.type === 'conn.close') {
      closes.set(event.sid, (closes.get(event.sid) ?? 0) + 1);
      expect(event.reason.length, `close of ${event.sid} has a reason`).toBeGreaterThan(0);
      expect(['client', 'server']).toContain(event.initiator);
    }
    if (event.type === 'socket.disconnect') {
      const key = `${event.nsp}|${event.socketId}`;
      disconnects.set(key, (disconnects.get(key) ?? 0) + 1);
      expect(live.rooms.roomsOf(event.nsp, event.socketId), `${key} is still in rooms after its disconnect`).toBeUndefined();
    }
  }
  for (const [sid, count] of closes) expect(count, `conn.close events of ${sid}`).toBe(1);
  // A closed session has no connected socket left, in any namespace.
  for (const session of live.sessions.sessions()) {
    if (session.status !== 'closed') continue;
    for (const socket of live.sessions.socketsOf(session.sid))
      expect(socket.status, `${socket.nsp} socket of closed session ${session.sid}`).not.toBe('connected');
  }
  for (const [key, count] of disconnects) expect(count, `socket.disconnect events of ${key}`).toBe(1);
  if (settled) {
    for (const sid of opened) expect(closes.get(sid), `session ${sid} never closed`).toBe(1);
    expect(io.engine.clientsCount).toBe(0);
    for (const session of live.sessions.sessions()) expect(session.status, `session ${session.sid}`).toBe('closed');
  }
}
