/**
 * The sessions projection: every Engine.IO session (connection) and every
 * Socket.IO socket on it, with the facts that explain how each one ended.
 * The inspector reads it live; replay folds a log with it; explain.ts turns
 * its records into disconnect explanations.
 *
 * Like the rooms fold, it updates `state` in place and returns it, and reads
 * nothing but its arguments. Closed sessions are kept for inspection up to
 * `retainClosed` (oldest dropped first), so a long-running server does not
 * grow without bound; replay keeps them all.
 */
import type { LogEvent } from '../events';
import { stringDigest } from '../string-digest';
import { addNote, noteOf, type Gap, type RecoveryNote } from './recovery-notes';
import { RoomSet } from './room-keys';

export type Transport = 'polling' | 'websocket';
export type Side = 'client' | 'server';

/** `lost`: its node went down or restarted before a close was recorded; `left`: it went on, out of this log's sight (see LostRecord). */
export type SessionStatus = 'open' | 'upgrading' | 'closed' | 'lost' | 'left';
export type SocketStatus = 'connected' | 'disconnected' | 'lost' | 'left';

/**
 * Why a session or socket ended in the log without a close being recorded:
 * its node went down or restarted (status `lost`), or it and the log parted
 * (status `left`): its node left the cluster, or the node that recorded it
 * left its node's cluster. A connection that left was not closed.
 */
export interface LostRecord {
  at: number;
  cause: 'node down' | 'node restart' | 'node left' | 'this node left';
  node: string;
}

/** Whether what ended so went on out of the log's sight (a leave) rather than down with its node. */
export function wentOutOfSight(lost: LostRecord): boolean {
  return lost.cause === 'node left' || lost.cause === 'this node left';
}

/** Whether a session is over in the log: closed, lost with its node, or out of sight. */
export function sessionEnded(status: SessionStatus): boolean {
  return status === 'closed' || status === 'lost' || status === 'left';
}

export interface SessionSettings {
  pingInterval: number;
  pingTimeout: number;
  upgradeTimeout: number;
  maxPayload: number;
  upgrades: string[];
}

export interface HeartbeatRecord {
  /** v4: the server pings, the client answers. */
  lastPingSentAt?: number;
  lastPongReceivedAt?: number;
  /** v3: the client pings, the server answers. */
  lastPingReceivedAt?: number;
  lastPongSentAt?: number;
}

export interface TransportErrorRecord {
  at: number;
  transport: Transport;
  message: string;
  size?: number;
  limit?: number;
}

export interface UpgradeRecord {
  at: number;
  step: 'probe' | 'upgraded' | 'failed';
  to: Transport;
  reason?: string;
}

export interface RefusalRecord {
  at: number;
  nsp: string;
  message: string;
}

export interface SessionCloseRecord {
  at: number;
  /** The exact reason the engine gave, e.g. "ping timeout". */
  reason: string;
  description?: string;
  initiator: Side;
  transport: Transport;
  wsCode?: number;
  wsReason?: string;
  lastPingAt?: number;
  lastPongAt?: number;
}

export interface SessionRecord {
  sid: string;
  node: string;
  status: SessionStatus;
  protocol: 3 | 4;
  /** The transport in use now. */
  transport: Transport;
  /** Every transport used, in order, e.g. ['polling', 'websocket']. */
  transports: Transport[];
  remoteAddress: string;
  settings: SessionSettings;
  openedAt: number;
  closedAt?: number;
  heartbeat: HeartbeatRecord;
  /** The latest upgrade step, if any. */
  upgrade?: UpgradeRecord;
  /** The latest transport errors, oldest first (at most MAX_KEPT). */
  errors: TransportErrorRecord[];
  /** Namespace connections refused by the server (at most MAX_KEPT). */
  refusals: RefusalRecord[];
  /** Refusals the log held back over the connection's share: counted by `log.suppressed`, not listed. */
  refusalsNotLogged?: number;
  /** Keys (see socketKey) of the sockets that ran on this session, in order. */
  sockets: Set<string>;
  close?: SessionCloseRecord;
  lost?: LostRecord;
}

export interface SocketDisconnectRecord {
  at: number;
  /** The exact reason given to the socket's `disconnect` event. */
  reason: string;
  initiator: 'client' | 'server' | 'application';
}

export interface SocketRecord {
  socketId: string;
  nsp: string;
  sid: string;
  node: string;
  protocol: 4 | 5;
  status: SocketStatus;
  /** When it connected to its namespace. */
  since: number;
  /** Who it was, from `eventLog.label` (connection-label.ts). */
  label?: string;
  /**
   * Its rooms while connected; once disconnected, the rooms it was in when it
   * began disconnecting (the event's `rooms`, else what was left by then).
   * Keyed as room-keys.ts says: a client's long names must not collide.
   */
  rooms: RoomSet;
  disconnect?: SocketDisconnectRecord;
  lost?: LostRecord;
  /** Connection state recovery attempts that concern it, oldest first (recovery-notes.ts). */
  recovery?: RecoveryNote[];
  /** A recovered socket's times away, oldest first. */
  gaps?: Gap[];
}

export interface SessionsState {
  readonly sessions: Map<string, SessionRecord>;
  /** Keyed by socketKey(nsp, socketId). */
  readonly sockets: Map<string, SocketRecord>;
  /** Finished sessions and orphan sockets, oldest first, for eviction. */
  readonly finished: Map<string, true>;
  /** How many finished entries to keep; Infinity keeps them all. */
  readonly retainClosed: number;
  /** A recovery attempt on a session and namespace, waiting for the socket that connects next (see socket.recovery). */
  readonly failedRecoveries: Map<string, RecoveryNote & { nsp: string }>;
  /** Per session id, the keys of its sockets that ended, oldest first (only when bounded). */
  readonly endedOf: Map<string, string[]>;
}

/** How many errors and refusals a session keeps: the latest are the ones that explain. */
export const MAX_KEPT = 10;

/**
 * How many ended sockets a session keeps when closed sessions are bounded
 * (a live server; replay keeps them all): one connection that joins and
 * leaves namespaces in a loop must not grow the server's memory.
 */
export const MAX_ENDED_SOCKETS_KEPT = 100;

export function emptySessions(retainClosed = Infinity): SessionsState {
  return { sessions: new Map(), sockets: new Map(), finished: new Map(), retainClosed, endedOf: new Map(), failedRecoveries: new Map() };
}

/**
 * Longer keys are replaced by a digest. V8 hashes a string by its length
 * alone past 16,383 characters, so a client's long namespace names (up to a
 * megabyte) all collided in every map keyed by them: each lookup compared
 * them all, and 300 such names cost the server minutes of CPU.
 */
const MAX_PLAIN_KEY = 1024;

/**
 * Socket ids are unique in practice, but a namespace prefix makes it certain.
 * A digest key is two NULs and 64 hex digits, which no plain key can be: a
 * 4.x socket id is never empty and holds no NUL, and a 2.x id holds a '#'.
 */
export function socketKey(nsp: string, socketId: string): string {
  const key = `${nsp}\u0000${socketId}`;
  return key.length <= MAX_PLAIN_KEY ? key : `\u0000\u0000${stringDigest(key).digest('hex')}`;
}

function keep<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > MAX_KEPT) list.shift();
}

function finish(state: SessionsState, key: string): void {
  state.finished.set(key, true);
  while (state.finished.size > state.retainClosed) {
    const oldest = state.finished.keys().next().value as string;
    state.finished.delete(oldest);
    evict(state, oldest);
  }
}

function evict(state: SessionsState, key: string): void {
  if (key.startsWith('k:')) {
    state.sockets.delete(key.slice(2));
    return;
  }
  const sid = key.slice(2);
  const session = state.sessions.get(sid);
  if (!session) return;
  // A recovered socket that moved on to a later session is that session's to keep.
  for (const socket of session.sockets) if (state.sockets.get(socket)?.sid === sid) state.sockets.delete(socket);
  state.sessions.delete(sid);
  state.endedOf.delete(sid);
}

/**
 * Notes that a socket of the session ended, and forgets the oldest ended one
 * past MAX_ENDED_SOCKETS_KEPT. A queue, not a scan: keys hold namespace names
 * a client chose (up to a megabyte), so each lookup costs their length, and a
 * scan per disconnect made one connection with 300 long names cost minutes.
 */
function forgetOldestEnded(state: SessionsState, session: SessionRecord, key: string): void {
  let ended = state.endedOf.get(session.sid);
  if (!ended) state.endedOf.set(session.sid, (ended = []));
  ended.push(key);
  while (ended.length > MAX_ENDED_SOCKETS_KEPT) {
    const oldest = ended.shift()!;
    // A 2.x socket may have connected again under the same key, a recovered one on another session: not this one's to forget.
    const record = state.sockets.get(oldest);
    if (record?.status === 'connected' || (record && record.sid !== session.sid)) continue;
    state.sockets.delete(oldest);
    session.sockets.delete(oldest);
  }
}

function loseNode(state: SessionsState, node: string, at: number, cause: LostRecord['cause']): void {
  const lost: LostRecord = { at, cause, node };
  const status = wentOutOfSight(lost) ? 'left' : 'lost';
  for (const [key, socket] of state.sockets) {
    if (socket.node !== node || socket.status !== 'connected') continue;
    socket.status = status;
    socket.lost = lost;
    if (!state.sessions.has(socket.sid)) finish(state, `k:${key}`);
  }
  for (const session of state.sessions.values()) {
    if (session.node !== node || sessionEnded(session.status)) continue;
    session.status = status;
    session.lost = lost;
    session.closedAt = at;
    finish(state, `s:${session.sid}`);
  }
}

export function foldSessions(state: SessionsState, event: LogEvent): SessionsState {
  switch (event.type) {
    case 'conn.open':
      state.sessions.set(event.sid, {
        sid: event.sid,
        node: event.node,
        status: 'open',
        protocol: event.protocol,
        transport: event.transport,
        transports: [event.transport],
        remoteAddress: event.remoteAddress,
        settings: {
          pingInterval: event.pingInterval,
          pingTimeout: event.pingTimeout,
          upgradeTimeout: event.upgradeTimeout,
          maxPayload: event.maxPayload,
          upgrades: event.upgrades,
        },
        openedAt: event.ts,
        heartbeat: {},
        errors: [],
        refusals: [],
        sockets: new Set(),
      });
      break;
    case 'conn.heartbeat': {
      const heartbeat = state.sessions.get(event.sid)?.heartbeat;
      if (!heartbeat) break;
      if (event.step === 'ping-sent') heartbeat.lastPingSentAt = event.ts;
      else if (event.step === 'pong-received') heartbeat.lastPongReceivedAt = event.ts;
      else if (event.step === 'ping-received') heartbeat.lastPingReceivedAt = event.ts;
      else heartbeat.lastPongSentAt = event.ts;
      break;
    }
    case 'conn.upgrade': {
      const session = state.sessions.get(event.sid);
      if (!session || session.status === 'closed') break;
      session.upgrade = { at: event.ts, step: event.step, to: event.to, reason: event.reason };
      if (event.step === 'probe') {
        session.status = 'upgrading';
      } else {
        session.status = 'open';
        if (event.step === 'upgraded') {
          session.transport = event.to;
          session.transports.push(event.to);
        }
      }
      break;
    }
    case 'conn.error': {
      const session = state.sessions.get(event.sid);
      if (session) keep(session.errors, { at: event.ts, transport: event.transport, message: event.message, size: event.size, limit: event.limit });
      break;
    }
    case 'conn.close': {
      const session = state.sessions.get(event.sid);
      if (!session || session.status === 'closed') break;
      session.status = 'closed';
      session.closedAt = event.ts;
      session.close = {
        at: event.ts,
        reason: event.reason,
        description: event.description,
        initiator: event.initiator,
        transport: event.transport,
        wsCode: event.wsCode,
        wsReason: event.wsReason,
        lastPingAt: event.lastPingAt,
        lastPongAt: event.lastPongAt,
      };
      finish(state, `s:${event.sid}`);
      state.failedRecoveries.delete(event.sid);
      break;
    }
    case 'socket.recovery': {
      const note = noteOf(event);
      const earlier = event.socketId === undefined ? undefined : state.sockets.get(socketKey(event.nsp, event.socketId));
      if (earlier) addNote(earlier, note);
      // For the socket that connects next on this session and namespace: a new one given instead, or
      // the recovered one when its earlier record is gone (a streaming replay forgets ended connections).
      if (!event.recovered || !earlier) {
        state.failedRecoveries.delete(event.sid); // one pending per session: the latest
        const insteadOf = !event.recovered && event.socketId !== undefined ? { insteadOf: event.socketId } : {};
        state.failedRecoveries.set(event.sid, Object.assign({}, note, { nsp: event.nsp }, insteadOf));
      }
      break;
    }
    case 'socket.connect': {
      const key = socketKey(event.nsp, event.socketId);
      const failed = state.failedRecoveries.get(event.sid);
      if (failed?.nsp === event.nsp) state.failedRecoveries.delete(event.sid);
      if (event.recovered && recoverSocket(state, key, event)) break;
      // A repeated connect of a connected socket changes nothing, as in the rooms projection;
      // by another node, it is another socket.
      const known = state.sockets.get(key);
      if (known?.status === 'connected' && known.node === event.node) break;
      state.sockets.set(key, {
        socketId: event.socketId,
        nsp: event.nsp,
        sid: event.sid,
        node: event.node,
        protocol: event.protocol,
        status: 'connected',
        since: event.ts,
        rooms: new RoomSet(),
        ...(event.label !== undefined && { label: event.label }),
        ...(failed?.nsp === event.nsp ? { recovery: [withoutNsp(failed)] } : {}),
      });
      // A 2.x socket that connects again on its session has the same id, and so is listed already.
      const session = state.sessions.get(event.sid);
      if (session && known?.sid !== event.sid) session.sockets.add(key);
      break;
    }
    case 'socket.refused': {
      // A recovery attempt that ends in a refusal gave no socket: its note is not the next socket's.
      if (state.failedRecoveries.get(event.sid)?.nsp === event.nsp) state.failedRecoveries.delete(event.sid);
      const session = state.sessions.get(event.sid);
      if (session) keep(session.refusals, { at: event.ts, nsp: event.nsp, message: event.message });
      break;
    }
    case 'log.suppressed': {
      const refusals = event.types['socket.refused'];
      const session = state.sessions.get(event.sid);
      if (refusals !== undefined && session) session.refusalsNotLogged = (session.refusalsNotLogged ?? 0) + refusals;
      break;
    }
    case 'room.join': {
      const socket = state.sockets.get(socketKey(event.nsp, event.socketId));
      if (socket?.status === 'connected') socket.rooms.add(event.room);
      break;
    }
    case 'room.leave': {
      const socket = state.sockets.get(socketKey(event.nsp, event.socketId));
      if (socket?.status === 'connected') socket.rooms.delete(event.room);
      break;
    }
    case 'socket.disconnect': {
      const key = socketKey(event.nsp, event.socketId);
      const socket = state.sockets.get(key);
      if (!socket || socket.status !== 'connected') break;
      socket.status = 'disconnected';
      socket.disconnect = { at: event.ts, reason: event.reason, initiator: event.initiator };
      if (event.rooms) socket.rooms = new RoomSet(event.rooms);
      const session = state.sessions.get(socket.sid);
      if (!session) finish(state, `k:${key}`);
      else if (state.retainClosed !== Infinity) forgetOldestEnded(state, session, key);
      break;
    }
    case 'node.down':
      loseNode(state, event.down, event.ts, event.reason === 'left' ? 'node left' : (event.reason ?? 'node down'));
      break;
    case 'server.start':
      loseNode(state, event.node, event.ts, 'node restart');
      break;
    default:
      break;
  }
  return state;
}

/**
 * A recovered socket continues its earlier record: connected again, on the
 * new session, with the time away as a gap. False when the earlier record is
 * gone (evicted, or another window of the log): it starts a record then.
 */
function recoverSocket(state: SessionsState, key: string, event: Extract<LogEvent, { type: 'socket.connect' }>): boolean {
  const socket = state.sockets.get(key);
  if (!socket || socket.status === 'connected') return false;
  const left = socket.disconnect?.at ?? socket.lost?.at ?? event.ts;
  (socket.gaps ??= []).push({ from: left, to: event.ts });
  socket.status = 'connected';
  socket.disconnect = undefined;
  socket.lost = undefined;
  socket.rooms = new RoomSet();
  socket.sid = event.sid;
  socket.node = event.node;
  if (event.label !== undefined) socket.label = event.label;
  state.finished.delete(`k:${key}`);
  const session = state.sessions.get(event.sid);
  session?.sockets.add(key);
  return true;
}

function withoutNsp(note: RecoveryNote & { nsp: string }): RecoveryNote {
  const { nsp: _nsp, ...rest } = note;
  return rest;
}

/** The read API the inspector uses; it always reflects the latest fold. */
/** The label of the first of `sockets` that has one: who the connection was. */
export function labelOf(sockets: Iterable<SocketRecord>): string | undefined {
  for (const socket of sockets) if (socket.label !== undefined) return socket.label;
  return undefined;
}

export interface SessionsView {
  session(sid: string): SessionRecord | undefined;
  sessions(): Iterable<SessionRecord>;
  socket(nsp: string, socketId: string): SocketRecord | undefined;
  sockets(): Iterable<SocketRecord>;
  /** The sockets that ran on a session, in connection order. */
  socketsOf(sid: string): SocketRecord[];
}

export function sessionsView(state: SessionsState): SessionsView {
  return {
    session: (sid) => state.sessions.get(sid),
    sessions: () => state.sessions.values(),
    socket: (nsp, socketId) => state.sockets.get(socketKey(nsp, socketId)),
    sockets: () => state.sockets.values(),
    socketsOf: (sid) => {
      // A loop, not spread and flatMap: the inspector asks this of every open connection (16k at a time).
      const found: SocketRecord[] = [];
      for (const key of state.sessions.get(sid)?.sockets ?? []) {
        const socket = state.sockets.get(key);
        if (socket) found.push(socket);
      }
      return found;
    },
  };
}
