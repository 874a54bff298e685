/**
 * Every projection of the log, folded together. The live EventLog and
 * replay both go through `foldAll`, so they cannot drift apart.
 */
import type { LogEvent } from '../events';
import { emptyCounters, foldCounters, type CountersState } from './counters';
import { emptyRooms, foldRooms, roomsView, type RoomsState } from './rooms';
import { emptySessions, foldSessions, sessionsView, type SessionsState } from './sessions';
import type { Projections } from './views';

export interface ProjectionState {
  readonly rooms: RoomsState;
  readonly sessions: SessionsState;
  readonly counters: CountersState;
}

/** `retainClosed`: finished sessions the sessions projection keeps (Infinity for replay). */
export function emptyProjections(retainClosed = Infinity): ProjectionState {
  return { rooms: emptyRooms(), sessions: emptySessions(retainClosed), counters: emptyCounters() };
}

/** Records that change no socket, room or session of the server, only what the sessions projection tells of them. */
const TOLD_ONLY: ReadonlySet<LogEvent['type']> = new Set(['socket.refused', 'conn.heartbeat', 'conn.upgrade', 'socket.recovery']);

export function foldAll(state: ProjectionState, event: LogEvent): ProjectionState {
  foldRooms(state.rooms, event);
  foldSessions(state.sessions, event);
  foldCounters(state.counters, event);
  return state;
}

/**
 * A record held back over its connection's share of the log
 * (connection-share.ts): replay never reads it. What it changes in the
 * server's state (sockets, rooms, sessions) is folded all the same, so that
 * the server stays exact. A refusal, a heartbeat, an upgrade probe or
 * failure, or a recovery attempt changes none, only what a session or socket
 * tells, so the sessions projection skips it, live as in replay: a refusal is
 * counted there from the `log.suppressed` record that summarises it, a
 * heartbeat's times are the engine's while the connection is open and its
 * `conn.close`'s after, the upgrade steps that set a session's status and
 * transport are never held back (connection-share.ts), and a recovery
 * attempt is a note on the sockets it concerns, which replay would never
 * show (a recovered socket continues its record from its `socket.connect`).
 */
export function foldHeldBack(state: ProjectionState, event: LogEvent): ProjectionState {
  if (!TOLD_ONLY.has(event.type)) return foldAll(state, event);
  foldCounters(state.counters, event);
  return state;
}

export function projectionsView(state: ProjectionState): Projections {
  return { rooms: roomsView(state.rooms), sessions: sessionsView(state.sessions), counters: state.counters };
}

export * from './counters';
export * from './rooms';
export * from './sessions';
export * from './snapshot';
export * from './views';
