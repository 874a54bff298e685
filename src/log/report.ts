/**
 * What replay reports about a connection and a socket, built from the
 * projection records with the same explanations the inspector gives.
 * Whole-log replay (replay.ts) and streaming replay (replay-stream.ts) both
 * build their reports here.
 */
import { explainConnection, explainSocket } from './explain';
import type { LogEventType } from './events';
import { labelOf, type SessionRecord, type SessionStatus, type SocketRecord, type SocketStatus, type Transport } from './projections';

export interface TimelineEntry {
  ts: number;
  seq: number;
  node: string;
  type: LogEventType;
  text: string;
}

export interface ConnectionReport {
  id: string;
  node: string;
  state: SessionStatus;
  /** Ids of the sockets that ran on it, in connection order. */
  sockets: string[];
  transports: Transport[];
  /** The exact reason the live server gave, once closed. */
  reason?: string;
  explanation?: string;
  protocol: 3 | 4;
  remoteAddress: string;
  /** The label of its first labelled socket (`eventLog.label`). */
  label?: string;
  openedAt: number;
  closedAt?: number;
  timeline: TimelineEntry[];
}

export interface SocketReport {
  id: string;
  nsp: string;
  /** The Engine.IO sid it ran on. */
  connection: string;
  /** Who it was: what `eventLog.label` returned at its connect. */
  label?: string;
  state: SocketStatus;
  reason?: string;
  explanation?: string;
  /** Its rooms at the replayed time; once disconnected, the rooms it was in at that moment. */
  rooms: string[];
  connectedAt: number;
  disconnectedAt?: number;
  timeline: TimelineEntry[];
}

export function connectionReport(session: SessionRecord, sockets: readonly SocketRecord[], timeline: TimelineEntry[]): ConnectionReport {
  return {
    id: session.sid,
    node: session.node,
    state: session.status,
    sockets: sockets.map((s) => s.socketId),
    transports: [...session.transports],
    reason: session.close?.reason,
    explanation: explainConnection(session, sockets),
    protocol: session.protocol,
    remoteAddress: session.remoteAddress,
    label: labelOf(sockets),
    openedAt: session.openedAt,
    closedAt: session.closedAt,
    timeline,
  };
}

export function socketReport(socket: SocketRecord, session: SessionRecord | undefined, timeline: TimelineEntry[] = []): SocketReport {
  return {
    id: socket.socketId,
    nsp: socket.nsp,
    connection: socket.sid,
    label: socket.label,
    state: socket.status,
    reason: socket.disconnect?.reason,
    explanation: explainSocket(socket, session),
    rooms: [...socket.rooms],
    connectedAt: socket.since,
    disconnectedAt: socket.disconnect?.at ?? socket.lost?.at,
    timeline,
  };
}

/** A socket whose connection is not in the log. */
export function orphanReport(socket: SocketRecord): SocketReport {
  return socketReport(socket, undefined);
}
