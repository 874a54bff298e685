/**
 * Replay as a stream: events are folded one by one with the live server's
 * projections (foldAll), and each connection is handed on as soon as it has
 * ended, with its sockets, explanation and timeline; then it is forgotten.
 * So memory follows the connections open at a time, not the length of the
 * log, and a report comes out while the log is still being read (a live file
 * with --follow). Connections still open at the end come last, in the order
 * they opened.
 *
 * An engine closes a connection before its sockets hear of it (conn.close,
 * then each socket.disconnect), so an ended connection waits until its
 * sockets have ended too, or until the log is SETTLE_MS past its close.
 */
import type { LogEvent } from './events';
import { describeEvent } from './describe-event';
import { emptyProjections, foldAll, sessionEnded, socketKey, type ProjectionState, type SessionRecord, type SocketRecord } from './projections';
import { connectionReport, orphanReport, socketReport, type ConnectionReport, type SocketReport, type TimelineEntry } from './report';

/** How long after its close an ended connection waits for its sockets' disconnects. */
export const SETTLE_MS = 1000;

/** Consecutive heartbeats of a timeline: the first, the latest, and how many. */
export interface HeartbeatRun {
  first: LogEvent;
  last: LogEvent;
  count: number;
}

/** An entry of a streamed timeline: an event as logged, or a run of heartbeats. */
export type TimelineItem = LogEvent | HeartbeatRun;

/**
 * How the timelines of open connections are kept: by default as the events
 * logged (`TimelineItem`s); a reader may keep them its own way instead (the
 * text output keeps the lines it will print).
 */
export interface TimelineKeeper<T> {
  /** A new connection's timeline, empty. */
  begin(): T;
  /** Adds one of its events, in log order. */
  add(timeline: T, event: LogEvent): void;
  /** The timeline of a connection whose timeline was not kept. */
  readonly none: T;
}

/** The events as logged, each run of consecutive heartbeats as one item: a heartbeat joins the run that ends the timeline. */
const eventTimelines: TimelineKeeper<readonly TimelineItem[]> = {
  begin: () => [],
  add: (timeline, event) => {
    const items = timeline as TimelineItem[];
    const last = items.at(-1);
    if (event.type !== 'conn.heartbeat') items.push(event);
    else if (last !== undefined && 'first' in last) {
      last.last = event;
      last.count++;
    } else items.push({ first: event, last: event, count: 1 });
  },
  none: [],
};

/** One connection as it ended (or as it is at the end), with the sockets that ran on it. */
export interface ConnectionStory<T = readonly TimelineItem[]> {
  /** Its report, but for the timeline (left empty): see `timeline`. */
  connection: ConnectionReport;
  sockets: SocketReport[];
  /**
   * What happened on it and its sockets, in order, as the keeper kept it:
   * by default the events as logged, each described only by whoever prints
   * it (describeEvent), and each run of consecutive heartbeats as one item.
   * Empty (`none`) unless timelines are kept.
   */
  timeline: T;
  /** Every namespace its sockets joined. */
  nsps: ReadonlySet<string>;
  /** Every room its sockets were in at some point. */
  rooms: ReadonlySet<string>;
  /** The labels its sockets were recorded with (`label` on `socket.connect`). */
  labels: ReadonlySet<string>;
}

export interface ReplayStreamOptions<T = readonly TimelineItem[]> {
  /** Fold only events with `ts <= at`. */
  at?: number;
  /** Collect timelines (the text output shows them; JSON and summaries do not). Default true. */
  timelines?: boolean;
  /** How to keep them; by default as the events logged. */
  keeper?: TimelineKeeper<T>;
  /** A connection, once it has ended or at the end. */
  onConnection(story: ConnectionStory<T>, ended: boolean): void;
  /** A socket whose connection is not in the log (the log starts after it opened). */
  onOrphan?(socket: SocketReport): void;
  /** An event about the server itself: start, close, namespaces, nodes, dropped records. */
  onServer?(entry: TimelineEntry, event: LogEvent): void;
}

/** What is kept about a connection while it is open: its timeline and what the filters ask about. */
interface Story<T> {
  timeline: T | undefined;
  /** Made on first use: most connections need few. */
  nsps?: Set<string>;
  rooms?: Set<string>;
  labels?: Set<string>;
}

const NONE: ReadonlySet<string> = new Set();

function addTo(story: Story<unknown>, field: 'nsps' | 'rooms' | 'labels', value: string): void {
  (story[field] ??= new Set()).add(value);
}

export class ReplayStream<T = readonly TimelineItem[]> {
  /** How many events were folded. */
  folded = 0;
  readonly state: ProjectionState = emptyProjections(Infinity);
  private readonly stories = new Map<string, Story<T>>();
  /** Which connection each socket (by socketKey) runs on, for the events that name only the socket. */
  private readonly connectionOf = new Map<string, string>();
  /** Ended connections waiting for their sockets, by sid, in the order they ended. */
  private readonly settling = new Map<string, number>();
  private readonly timelines: boolean;
  private readonly keeper: TimelineKeeper<T>;

  constructor(private readonly options: ReplayStreamOptions<T>) {
    this.timelines = options.timelines ?? true;
    // Without a keeper T is the default, the events as logged.
    this.keeper = options.keeper ?? (eventTimelines as unknown as TimelineKeeper<T>);
  }

  /** How many connections are held: open, or ended and settling. */
  get held(): number {
    return this.state.sessions.sessions.size;
  }

  push(event: LogEvent): void {
    if (this.options.at !== undefined && event.ts > this.options.at) return;
    foldAll(this.state, event);
    this.folded++;
    this.attach(event);
    this.settle(event);
  }

  /** Hands on what is left: connections still settling, then the open ones in the order they opened, then orphan sockets. */
  end(): void {
    for (const sid of [...this.settling.keys()]) this.emit(sid, true);
    const open = [...this.state.sessions.sessions.values()].sort((a, b) => a.openedAt - b.openedAt);
    for (const session of open) this.emit(session.sid, sessionEnded(session.status));
    for (const [key, socket] of this.state.sessions.sockets) {
      this.options.onOrphan?.(orphanReport(socket));
      this.state.sessions.sockets.delete(key);
    }
  }

  /** A connection's story begins with its conn.open, as its session does in the projection. */
  private begin(sid: string): void {
    this.stories.set(sid, { timeline: this.timelines ? this.keeper.begin() : undefined });
  }

  private note(sid: string | undefined, event: LogEvent): void {
    if (!this.timelines || sid === undefined) return;
    const timeline = this.stories.get(sid)?.timeline;
    if (timeline !== undefined) this.keeper.add(timeline, event);
  }

  private entry(event: LogEvent): TimelineEntry {
    return { ts: event.ts, seq: event.seq, node: event.node, type: event.type, text: describeEvent(event) };
  }

  private attach(event: LogEvent): void {
    switch (event.type) {
      case 'conn.open':
        this.begin(event.sid);
        this.note(event.sid, event);
        break;
      case 'conn.heartbeat':
      case 'conn.upgrade':
      case 'conn.error':
      case 'conn.close':
      case 'socket.refused':
      case 'socket.recovery':
      case 'log.suppressed':
        this.note(event.sid, event);
        break;
      case 'socket.connect': {
        const key = socketKey(event.nsp, event.socketId);
        this.connectionOf.set(key, event.sid);
        const story = this.stories.get(event.sid);
        if (story) {
          addTo(story, 'nsps', event.nsp);
          if (event.label !== undefined) addTo(story, 'labels', event.label);
        }
        this.note(event.sid, event);
        break;
      }
      case 'room.join': {
        const sid = this.connectionOf.get(socketKey(event.nsp, event.socketId));
        const story = sid === undefined ? undefined : this.stories.get(sid);
        if (story) addTo(story, 'rooms', event.room);
        this.note(sid, event);
        break;
      }
      case 'room.leave':
      case 'socket.disconnect':
        this.note(this.connectionOf.get(socketKey(event.nsp, event.socketId)), event);
        break;
      case 'app.error':
        if (event.socketId !== undefined && event.nsp !== undefined) this.note(this.connectionOf.get(socketKey(event.nsp, event.socketId)), event);
        else this.options.onServer?.(this.entry(event), event);
        break;
      default:
        this.options.onServer?.(this.entry(event), event);
    }
  }

  /** Queues the connections this event ended, and hands on those that have settled. */
  private settle(event: LogEvent): void {
    const sessions = this.state.sessions;
    switch (event.type) {
      case 'conn.close':
        if (sessions.sessions.get(event.sid)?.status === 'closed' && !this.settling.has(event.sid)) this.ended(event.sid, event.ts);
        break;
      case 'node.down':
      case 'server.start':
        // Every connection of that node is lost or out of sight, and its sockets with it.
        for (const session of [...sessions.sessions.values()])
          if ((session.status === 'lost' || session.status === 'left') && !this.settling.has(session.sid)) this.ended(session.sid, event.ts);
        for (const [key, socket] of sessions.sockets) {
          if ((socket.status === 'lost' || socket.status === 'left') && !sessions.sessions.has(socket.sid)) this.dropOrphan(key, socket);
        }
        break;
      case 'socket.disconnect': {
        const key = socketKey(event.nsp, event.socketId);
        const socket = sessions.sockets.get(key);
        if (!socket || socket.status === 'connected') break;
        if (!sessions.sessions.has(socket.sid)) this.dropOrphan(key, socket);
        else if (this.settling.has(socket.sid) && !this.anySocketConnected(socket.sid)) this.emit(socket.sid, true);
        break;
      }
      default:
        break;
    }
    // Closes come in about the order of their ts: the first one still within SETTLE_MS stops the look.
    for (const [sid, closedAt] of this.settling) {
      if (event.ts - closedAt <= SETTLE_MS) break;
      this.emit(sid, true);
    }
  }

  /** A connection ended at `at`: handed on now if its sockets have ended too, else once they have. */
  private ended(sid: string, at: number): void {
    if (this.anySocketConnected(sid)) this.settling.set(sid, at);
    else this.emit(sid, true);
  }

  private anySocketConnected(sid: string): boolean {
    const session = this.state.sessions.sessions.get(sid);
    if (!session) return false;
    for (const key of session.sockets) if (this.state.sessions.sockets.get(key)?.status === 'connected') return true;
    return false;
  }

  private dropOrphan(key: string, socket: SocketRecord): void {
    this.options.onOrphan?.(orphanReport(socket));
    this.state.sessions.sockets.delete(key);
    this.state.sessions.finished.delete(`k:${key}`);
    this.connectionOf.delete(key);
  }

  /** Hands on a connection with its sockets, then forgets them. */
  private emit(sid: string, ended: boolean): void {
    this.settling.delete(sid);
    const sessions = this.state.sessions;
    const session = sessions.sessions.get(sid);
    if (!session) return;
    const sockets = [...session.sockets].flatMap((key) => sessions.sockets.get(key) ?? []);
    const story: Story<T> = this.stories.get(sid) ?? { timeline: undefined };
    this.options.onConnection(
      {
        connection: connectionReport(session, sockets, []),
        sockets: sockets.map((socket) => socketReport(socket, session)),
        timeline: story.timeline ?? this.keeper.none,
        nsps: story.nsps ?? NONE,
        rooms: story.rooms ?? NONE,
        labels: story.labels ?? NONE,
      },
      ended,
    );
    this.forget(session);
  }

  private forget(session: SessionRecord): void {
    const sessions = this.state.sessions;
    for (const key of session.sockets) {
      if (sessions.sockets.get(key)?.sid === session.sid) {
        sessions.sockets.delete(key);
        if (this.connectionOf.get(key) === session.sid) this.connectionOf.delete(key);
      }
    }
    sessions.sessions.delete(session.sid);
    sessions.finished.delete(`s:${session.sid}`);
    sessions.endedOf.delete(session.sid);
    this.stories.delete(session.sid);
  }
}
