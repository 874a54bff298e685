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
 * the server stays exact. A refusal, a heartbeat or an upgrade probe or
 * failure changes none, only what a session tells, so the sessions
 * projection skips it, live as in replay: a refusal is counted there from the
 * `log.suppressed` record that summarises it, a heartbeat's times are the
 * engine's while the connection is open and its `conn.close`'s after, and the
 * upgrade steps that set a session's status and transport are never held
 * back (connection-share.ts).
 */
export function foldHeldBack(state: ProjectionState, event: LogEvent): ProjectionState {
  if (event.type !== 'socket.refused' && event.type !== 'conn.heartbeat' && event.type !== 'conn.upgrade') return foldAll(state, event);
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
