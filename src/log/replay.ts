/**
 * Replay: folds a log with the live server's projections (foldAll), up to a
 * time if asked, and reports every connection and socket with its timeline
 * and the explanation of how it ended.
 */
import { describeEvent } from './describe-event';
import type { LogEvent } from './events';
import { isoTime } from './clock';
import {
  emptyProjections,
  foldAll,
  projectionsView,
  socketKey,
  type ProjectionState,
  type Projections,
  type SessionStatus,
  type SocketStatus,
  type Transport,
} from './projections';
import { connectionReport, socketReport, type ConnectionReport, type SocketReport, type TimelineEntry } from './report';

export type { ConnectionReport, SocketReport, TimelineEntry } from './report';

export interface ReplayOptions {
  /** Fold only events with `ts <= at` (ms since the epoch): the state at that time. */
  at?: number;
  /** Report only this connection (Engine.IO sid), or the connection of this socket id. */
  sid?: string;
}

export interface ReplayResult {
  at?: number;
  /** How many events were folded. */
  folded: number;
  state: ProjectionState;
  projections: Projections;
  connections: ConnectionReport[];
  sockets: SocketReport[];
  /** Events about the server itself: start, close, namespaces, nodes. */
  server: TimelineEntry[];
}

/** Collects each connection's and socket's timeline while the log is folded. */
class Timelines {
  readonly server: TimelineEntry[] = [];
  private readonly byKey = new Map<string, TimelineEntry[]>();
  /** Which connection each socket runs on, as of the event being attached. */
  private readonly connectionOf = new Map<string, string>();

  of(key: string): TimelineEntry[] {
    return this.byKey.get(key) ?? [];
  }

  attach(event: LogEvent): void {
    const entry: TimelineEntry = { ts: event.ts, seq: event.seq, node: event.node, type: event.type, text: describeEvent(event) };
    const add = (key: string) => {
      let list = this.byKey.get(key);
      if (!list) this.byKey.set(key, (list = []));
      list.push(entry);
    };
    /** On the socket's timeline and on its connection's. */
    const addSocket = (nsp: string, socketId: string) => {
      const key = socketKey(nsp, socketId);
      add(`s:${key}`);
      const sid = this.connectionOf.get(key);
      if (sid !== undefined) add(`c:${sid}`);
    };
    switch (event.type) {
      case 'conn.open':
      case 'conn.heartbeat':
      case 'conn.upgrade':
      case 'conn.error':
      case 'conn.close':
      case 'socket.refused':
      case 'log.suppressed':
        add(`c:${event.sid}`);
        break;
      case 'socket.recovery':
        // On the connection it came back on, and on the socket it asked to be again.
        add(`c:${event.sid}`);
        if (event.socketId !== undefined) add(`s:${socketKey(event.nsp, event.socketId)}`);
        break;
      case 'socket.connect':
        this.connectionOf.set(socketKey(event.nsp, event.socketId), event.sid);
        addSocket(event.nsp, event.socketId);
        break;
      case 'room.join':
      case 'room.leave':
      case 'socket.disconnect':
        addSocket(event.nsp, event.socketId);
        break;
      case 'app.error':
        if (event.socketId !== undefined && event.nsp !== undefined) addSocket(event.nsp, event.socketId);
        else this.server.push(entry);
        break;
      default:
        this.server.push(entry);
    }
  }
}

export function replay(events: readonly LogEvent[], options: ReplayOptions = {}): ReplayResult {
  const state = emptyProjections(Infinity);
  const timelines = new Timelines();
  let folded = 0;
  for (const event of events) {
    if (options.at !== undefined && event.ts > options.at) continue;
    foldAll(state, event);
    timelines.attach(event);
    folded++;
  }
  const projections = projectionsView(state);
  const sessions = projections.sessions;

  let connections: ConnectionReport[] = [...sessions.sessions()].map((session) =>
    connectionReport(session, sessions.socketsOf(session.sid), timelines.of(`c:${session.sid}`)),
  );
  let sockets: SocketReport[] = [...sessions.sockets()].map((socket) =>
    socketReport(socket, sessions.session(socket.sid), timelines.of(`s:${socketKey(socket.nsp, socket.socketId)}`)),
  );

  if (options.sid !== undefined) {
    const wanted = new Set([options.sid, ...sockets.filter((s) => s.id === options.sid).map((s) => s.connection)]);
    connections = connections.filter((c) => wanted.has(c.id));
    sockets = sockets.filter((s) => wanted.has(s.connection));
  }
  connections.sort((a, b) => a.openedAt - b.openedAt);
  sockets.sort((a, b) => a.connectedAt - b.connectedAt);
  return { at: options.at, folded, state, projections, connections, sockets, server: timelines.server };
}

/** The `iostate replay --json` document; times are ISO strings, absent values null. */
export interface ReplayJson {
  at: string | null;
  sockets: {
    id: string;
    nsp: string;
    connection: string;
    /** Present when the socket has one. */
    label?: string;
    state: SocketStatus;
    reason: string | null;
    explanation: string | null;
    rooms: string[];
    connectedAt: string;
    disconnectedAt: string | null;
  }[];
  connections: {
    id: string;
    state: SessionStatus;
    sockets: string[];
    transports: Transport[];
    reason: string | null;
    explanation: string | null;
    protocol: 3 | 4;
    remoteAddress: string;
    label?: string;
    openedAt: string;
    closedAt: string | null;
  }[];
}

export type SocketJson = ReplayJson['sockets'][number];
export type ConnectionJson = ReplayJson['connections'][number];

const time = (ms: number | undefined) => (ms === undefined ? null : isoTime(ms));

export function socketJson(s: SocketReport): SocketJson {
  return {
    id: s.id,
    nsp: s.nsp,
    connection: s.connection,
    ...(s.label !== undefined && { label: s.label }),
    state: s.state,
    reason: s.reason ?? null,
    explanation: s.explanation ?? null,
    rooms: s.rooms,
    connectedAt: isoTime(s.connectedAt),
    disconnectedAt: time(s.disconnectedAt),
  };
}

export function connectionJson(c: ConnectionReport): ConnectionJson {
  return {
    id: c.id,
    state: c.state,
    sockets: c.sockets,
    transports: c.transports,
    reason: c.reason ?? null,
    explanation: c.explanation ?? null,
    protocol: c.protocol,
    remoteAddress: c.remoteAddress,
    ...(c.label !== undefined && { label: c.label }),
    openedAt: isoTime(c.openedAt),
    closedAt: time(c.closedAt),
  };
}

export function replayJson(result: ReplayResult): ReplayJson {
  return { at: time(result.at), sockets: result.sockets.map(socketJson), connections: result.connections.map(connectionJson) };
}
