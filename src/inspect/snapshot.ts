/**
 * The inspection snapshot: what a server holds right now (namespaces, rooms,
 * sockets, connections, the latest closes and why), as plain JSON described
 * by a zod schema.
 *
 * It is read from the log's projections (the same folds replay uses), so a
 * log fed with events alone gives a full snapshot; the live objects of a
 * server only sharpen it: a socket's exact lifecycle state, a connection
 * still handshaking or closing, the engine's own heartbeat times. Sockets
 * still running their namespace's middlewares are only seen live: the log
 * learns of a socket when it connects. Building it walks each connected
 * socket and each open connection once; the schema is for consumers and
 * tests, not checked on every call.
 */
import { z } from 'zod';
import type { EventLog } from '../log/event-log';
import { connectionEnd, explainConnection } from '../log/explain';
import { labelOf, sessionEnded, type SessionRecord, type SessionsView, type SocketRecord } from '../log/projections';
import { explainRecoveryNotes } from '../log/explain-recovery';

const transport = z.enum(['polling', 'websocket']);

/** The socket machine's states (src/machines/socket.ts). */
export const socketStateSchema = z.enum(['connecting', 'connected', 'disconnecting', 'disconnected', 'refused']);
/** The connection machine's leaf states (src/machines/connection.ts); `open` is one of its three transports. */
export const connectionStateSchema = z.enum(['handshaking', 'polling', 'upgrading', 'websocket', 'closing', 'closed']);

/** A connection's namespace CONNECTs the server refused (an unknown namespace, a middleware's error), when it had any. */
const refusedSchema = z
  .object({
    /** The latest, oldest first (at most 10): the namespace as the client named it (cut past 1024 characters) and the answer. */
    latest: z.array(z.object({ at: z.number(), nsp: z.string(), message: z.string() })),
    /** Refusals the log held back over the connection's share of it (a flood): counted, not listed. */
    notLogged: z.number().int().nonnegative(),
  })
  .optional();

export const inspectSnapshotSchema = z.object({
  version: z.literal(1),
  /** The node (server) the snapshot was taken on. */
  node: z.string(),
  takenAt: z.number(),
  /** `seq` of the latest event this node recorded. */
  lastSeq: z.number().int().nonnegative(),
  /** Log position of the latest event folded in (`EventLog.lastPosition`): resume the event stream from here. */
  position: z.number().int().nonnegative(),
  /** Full counts, whatever `limit` cut from the lists. */
  totals: z.object({
    namespaces: z.number().int().nonnegative(),
    /** Connected sockets (those that passed their namespace's middlewares). */
    sockets: z.number().int().nonnegative(),
    /**
     * Sockets still running their namespace's middlewares (state `connecting`), not counted in `sockets`.
     * Only from a live server: absent when the snapshot was built from a log alone, which never sees them.
     */
    connecting: z.number().int().nonnegative().optional(),
    connections: z.number().int().nonnegative(),
    rooms: z.number().int().nonnegative(),
  }),
  /** Whether some list was cut to `limit` entries. */
  truncated: z.boolean(),
  /** With `match`: how many entries of each list matched, before `limit` (`sockets` includes those connecting). */
  matched: z
    .object({
      sockets: z.number().int().nonnegative(),
      connections: z.number().int().nonnegative(),
      rooms: z.number().int().nonnegative(),
    })
    .optional(),
  namespaces: z.array(
    z.object({
      name: z.string(),
      state: z.string(),
      /** Connected sockets. */
      sockets: z.number().int().nonnegative(),
      /** Sockets still running its middlewares; present when `totals.connecting` is. */
      connecting: z.number().int().nonnegative().optional(),
      /** Rooms other than the one each socket has under its own id. */
      rooms: z.number().int().nonnegative(),
      /** Connection state recovery, when on: what its store holds (docs/recovery.md). */
      recovery: z
        .object({
          /** Packets kept, and their estimated bytes. */
          packets: z.number().int().nonnegative(),
          bytes: z.number().nonnegative(),
          /** Sessions away, waiting for their client. */
          away: z.number().int().nonnegative(),
        })
        .optional(),
    }),
  ),
  rooms: z.array(
    z.object({
      nsp: z.string(),
      name: z.string(),
      members: z.number().int().positive(),
      /** The room named by its only member's id, which every socket joins on connect. */
      socketRoom: z.boolean(),
    }),
  ),
  /**
   * Sockets still running their namespace's middlewares (state `connecting`, no rooms yet), first,
   * then the connected ones. A connecting socket's `since` is when its CONNECT arrived.
   */
  sockets: z.array(
    z.object({
      id: z.string(),
      nsp: z.string(),
      state: socketStateSchema,
      rooms: z.array(z.string()),
      transport,
      /** The Engine.IO session (connection) it runs on. */
      connection: z.string(),
      protocol: z.union([z.literal(4), z.literal(5)]),
      since: z.number(),
      node: z.string(),
      /** Who it was: what `eventLog.label` returned at its connect. */
      label: z.string().optional(),
      /** Its connection state recovery, in words, if it was recovered or asked to be (docs/recovery.md). */
      recovery: z.string().optional(),
    }),
  ),
  connections: z.array(
    z.object({
      sid: z.string(),
      state: connectionStateSchema,
      transport,
      /** Transports used so far, in order, e.g. ["polling", "websocket"]. */
      transports: z.array(transport),
      /** Engine.IO protocol: 3 (socket.io-client 2.x) or 4 (3.x/4.x). */
      protocol: z.union([z.literal(3), z.literal(4)]),
      remoteAddress: z.string(),
      /** v4: the server's last ping; v3: the client's last ping. */
      lastPingAt: z.number().optional(),
      /** v4: the client's last pong; v3: the server's last pong. */
      lastPongAt: z.number().optional(),
      since: z.number(),
      sockets: z.number().int().nonnegative(),
      node: z.string(),
      /** The label of its first labelled socket. */
      label: z.string().optional(),
      refused: refusedSchema,
    }),
  ),
  /** The latest connections that ended, newest first, with the reason the server gave and its evidence. */
  closed: z.array(
    z.object({
      sid: z.string(),
      /** The engine's reason, or `lost (node down)` / `lost (node restart)` when its node went away first, `left (node left)` / `left (this node left)` when it went on out of sight after a leave. */
      reason: z.string(),
      explanation: z.string(),
      /** Trouble (a timeout, an error, a killed client's 1006, a lost node) rather than a choice (explain.ts `endedAbnormally`). */
      abnormal: z.boolean(),
      since: z.number(),
      closedAt: z.number(),
      transports: z.array(transport),
      protocol: z.union([z.literal(3), z.literal(4)]),
      remoteAddress: z.string(),
      label: z.string().optional(),
      refused: refusedSchema,
    }),
  ),
});

export type InspectSnapshot = z.infer<typeof inspectSnapshotSchema>;
export type SocketEntry = InspectSnapshot['sockets'][number];
export type ConnectionEntry = InspectSnapshot['connections'][number];
export type ClosedEntry = InspectSnapshot['closed'][number];

/** What a snapshot reads from a live Engine.IO session, when there is one. */
export interface LiveSession {
  /** The connection machine's state: "handshaking", "open.polling", "closing"... */
  readonly state?: string;
  readonly transport?: { readonly name: string };
  readonly remoteAddress?: string;
  readonly lastPingAt?: number;
  readonly lastPongAt?: number;
}

/** What a snapshot reads from a live socket, to list it while it runs its namespace's middlewares. */
export interface LiveSocket {
  readonly id: string;
  /** The socket machine's state. */
  readonly state: string;
  /** When it was created, i.e. when its CONNECT arrived. */
  readonly createdAt: number;
  readonly nsp: { readonly name: string };
  readonly client: { readonly id: string; readonly protocol: 4 | 5 };
}

interface LiveNamespace {
  readonly state: string;
  readonly connected: Readonly<Record<string, { readonly state: string }>>;
  /** Its connection state recovery store, when the option is on. */
  readonly recovery?: { readonly size: { packets: number; bytes: number; absent: number } };
}

/** The parts of a Server a snapshot reads; `Server` has them all. */
export interface InspectableServer {
  readonly log: EventLog;
  /** By name: an object, as socket.io 2.x's `io.nsps` (a Map is taken too). */
  readonly nsps: Readonly<Record<string, LiveNamespace>> | ReadonlyMap<string, LiveNamespace>;
  readonly engine?: { readonly clients: Readonly<Record<string, LiveSession>> | ReadonlyMap<string, LiveSession> };
  /** The Socket.IO client of each open connection, with its sockets by namespace (those in middleware too). */
  readonly openClients?: ReadonlyMap<string, { readonly nsps: Readonly<Record<string, LiveSocket>> }>;
}

export interface SnapshotOptions {
  /** Entries kept per list (sockets, connections, rooms); the totals still count all. Default: no limit. */
  limit?: number;
  /** Recently closed connections listed. Default 50. */
  closed?: number;
  /**
   * Keep only entries containing this text (any case): rooms by name, sockets by
   * id, connection, room or label, connections and closes by sid, address or
   * label (of any of their sockets). Totals still count all.
   */
  match?: string;
  /** List each socket's own room among the rooms (they are counted either way). Default true. */
  socketRooms?: boolean;
}

export const DEFAULT_CLOSED = 50;

// Plain sets for the per-socket checks: a failed zod parse builds an error object, too slow for 10,000 sockets.
const SOCKET_STATES: ReadonlySet<string> = new Set(socketStateSchema.options);
const CONNECTION_STATES: ReadonlySet<string> = new Set(connectionStateSchema.options);

export type RoomEntry = InspectSnapshot['rooms'][number];

/**
 * What a snapshot lists, chosen in one synchronous walk: its counts and short
 * lists as they go into the JSON, and the records behind its long lists, whose
 * entries are made only as they are read. `buildSnapshot` makes them all at
 * once; the HTTP endpoint writes them one by one (snapshot-stream.ts), so that
 * 100k sockets never exist as one object nor as one string.
 */
export interface SnapshotSelection {
  /** The fields before the lists, in the JSON's order. */
  readonly head: Omit<InspectSnapshot, 'rooms' | 'sockets' | 'connections' | 'closed'>;
  readonly rooms: readonly RoomEntry[];
  /** The socket entries: those in middleware first, then connected ones, each from its record's state when read. */
  socketEntries(): Iterable<SocketEntry>;
  /** The connection entries, each from its record's state when read. */
  connectionEntries(): Iterable<ConnectionEntry>;
  readonly closed: readonly ClosedEntry[];
}

export function buildSnapshot(io: InspectableServer, options: SnapshotOptions = {}): InspectSnapshot {
  const selection = selectSnapshot(io, options);
  return {
    ...selection.head,
    rooms: [...selection.rooms],
    sockets: [...selection.socketEntries()],
    connections: [...selection.connectionEntries()],
    closed: [...selection.closed],
  };
}

/** Chooses what a snapshot lists, as `buildSnapshot` would, and makes none of the long lists' entries yet. */
export function selectSnapshot(io: InspectableServer, options: SnapshotOptions = {}): SnapshotSelection {
  const limit = options.limit ?? Infinity;
  const { rooms: roomsView, sessions } = io.log.projections;
  const liveSession = lookupIn(io.engine?.clients);
  const liveNamespaces = asMap(io.nsps);
  const needle = options.match?.toLowerCase() || undefined;
  const has = (...texts: Iterable<string | undefined>[]) =>
    needle === undefined || texts.some((list) => [...list].some((text) => text?.toLowerCase().includes(needle)));
  const labels = (sid: string) => (needle === undefined ? [] : sessions.socketsOf(sid).map((socket) => socket.label));
  const matched = { sockets: 0, connections: 0, rooms: 0 };
  let truncated = false;
  /** Whether a list holding `count` entries takes one more: entries past the limit are counted, never kept. */
  const fits = (count: number) => {
    if (count < limit) return true;
    truncated = true;
    return false;
  };

  // Sockets in middleware come first, so that `limit` never hides one stuck there behind thousands connected.
  const connecting: LiveSocket[] = [];
  const live = io.openClients !== undefined;
  const connectingByNsp = new Map<string, number>();
  let connectingTotal = 0;
  for (const client of io.openClients?.values() ?? []) {
    for (const [name, socket] of Object.entries(client.nsps)) {
      if (socket.state !== 'connecting') continue;
      connectingTotal++;
      connectingByNsp.set(name, (connectingByNsp.get(name) ?? 0) + 1);
      if (!has([socket.id, socket.client.id])) continue;
      matched.sockets++;
      if (fits(connecting.length)) connecting.push(socket);
    }
  }

  const namespaceNames = new Set<string>([...liveNamespaces.keys(), ...roomsView.namespaces()]);
  const namespaces: InspectSnapshot['namespaces'] = [];
  const rooms: RoomEntry[] = [];
  let roomTotal = 0;
  for (const name of namespaceNames) {
    let named = 0;
    for (const [room, members] of roomsView.rooms(name)) {
      const socketRoom = members.size === 1 && members.has(room);
      if (!socketRoom) named++;
      roomTotal++;
      if ((socketRoom && options.socketRooms === false) || (needle !== undefined && !has([room]))) continue;
      matched.rooms++;
      if (fits(rooms.length)) rooms.push({ nsp: name, name: room, members: members.size, socketRoom });
    }
    let socketCount = 0;
    for (const _ of roomsView.socketIds(name)) socketCount++;
    namespaces.push({
      name,
      state: liveNamespaces.get(name)?.state ?? 'active',
      sockets: socketCount,
      ...(live && { connecting: connectingByNsp.get(name) ?? 0 }),
      rooms: named,
      ...recoveryEntry(liveNamespaces.get(name)),
    });
  }

  const connected: SocketRecord[] = [];
  let socketTotal = 0;
  for (const record of sessions.sockets()) {
    if (record.status !== 'connected') continue;
    socketTotal++;
    // Without a filter no list is built to test: 100k sockets, no garbage.
    if (needle !== undefined && !has([record.socketId, record.sid, record.label], record.rooms)) continue;
    matched.sockets++;
    if (fits(connecting.length + connected.length)) connected.push(record);
  }

  const open: SessionRecord[] = [];
  const closedSessions: SessionRecord[] = [];
  let connectionTotal = 0;
  for (const session of sessions.sessions()) {
    if (sessionEnded(session.status)) {
      closedSessions.push(session);
      continue;
    }
    connectionTotal++;
    if (needle !== undefined && !has([session.sid, session.remoteAddress], labels(session.sid))) continue;
    matched.connections++;
    if (fits(open.length)) open.push(session);
  }

  const closedCount = options.closed ?? DEFAULT_CLOSED;
  const closed = latestClosed(
    closedSessions.filter((session) => has([session.sid, session.remoteAddress, session.close?.reason], labels(session.sid))),
    sessions,
    closedCount,
  );

  return {
    head: {
      version: 1,
      node: io.log.node,
      takenAt: Date.now(),
      lastSeq: io.log.lastSeq,
      position: io.log.lastPosition,
      totals: {
        namespaces: namespaces.length,
        sockets: socketTotal,
        ...(live && { connecting: connectingTotal }),
        connections: connectionTotal,
        rooms: roomTotal,
      },
      truncated,
      ...(needle !== undefined && { matched }),
      namespaces,
    },
    rooms,
    *socketEntries() {
      for (const socket of connecting) yield connectingEntry(socket, sessions.session(socket.client.id), io.log.node);
      for (const record of connected) {
        yield socketEntry(record, sessions.session(record.sid), liveNamespaces.get(record.nsp)?.connected[record.socketId]?.state);
      }
    },
    *connectionEntries() {
      for (const session of open) yield connectionEntry(session, liveSession(session.sid), sessions.socketsOf(session.sid));
    },
    closed,
  };
}

/** The latest `count` of `closed`, newest first, with the reason and its evidence. */
export function latestClosed(closed: SessionRecord[], sessions: SessionsView, count: number): ClosedEntry[] {
  return closed
    .sort((a, b) => (b.closedAt ?? 0) - (a.closedAt ?? 0))
    .slice(0, count)
    .map((session) => ({
      sid: session.sid,
      reason: session.close?.reason ?? `${session.status} (${session.lost?.cause ?? 'unknown'})`,
      explanation: explainConnection(session, sessions.socketsOf(session.sid)) ?? 'no close recorded',
      abnormal: connectionEnd(session)?.abnormal ?? false,
      since: session.openedAt,
      closedAt: session.closedAt ?? session.openedAt,
      transports: [...session.transports],
      protocol: session.protocol,
      remoteAddress: session.remoteAddress,
      ...optionalLabel(labelOf(sessions.socketsOf(session.sid))),
      ...refusedEntry(session),
    }));
}

function refusedEntry(session: SessionRecord): Pick<ConnectionEntry, 'refused'> {
  const notLogged = session.refusalsNotLogged ?? 0;
  if (session.refusals.length === 0 && notLogged === 0) return {};
  return { refused: { latest: session.refusals.map(({ at, nsp, message }) => ({ at, nsp, message })), notLogged } };
}

/**
 * One entry of an object keyed by id or a Map, by key, without copying it first as `asMap` does: at 16k
 * connections `Object.entries` of engine.io's `clients` costs more than the lookups a snapshot makes.
 */
function lookupIn<T>(entries: Readonly<Record<string, T>> | ReadonlyMap<string, T> | undefined): (key: string) => T | undefined {
  if (!entries) return () => undefined;
  if (entries instanceof Map) return (key) => entries.get(key);
  const record = entries as Readonly<Record<string, T>>;
  return (key) => (Object.hasOwn(record, key) ? record[key] : undefined);
}

/** Objects keyed by id or name (engine.io 3's `clients`, socket.io 2's `nsps`) and Maps, read the same way. */
export function asMap<T>(entries: Readonly<Record<string, T>> | ReadonlyMap<string, T> | undefined): ReadonlyMap<string, T> {
  if (!entries) return new Map();
  if (entries instanceof Map) return entries;
  return new Map(Object.entries(entries));
}

function recoveryEntry(nsp: LiveNamespace | undefined): Pick<InspectSnapshot['namespaces'][number], 'recovery'> {
  const size = nsp?.recovery?.size;
  return size ? { recovery: { packets: size.packets, bytes: size.bytes, away: size.absent } } : {};
}

export function socketEntry(record: SocketRecord, session: SessionRecord | undefined, liveState: string | undefined): SocketEntry {
  return {
    id: record.socketId,
    nsp: record.nsp,
    state:
      liveState !== undefined && SOCKET_STATES.has(liveState)
        ? (liveState as SocketEntry['state'])
        : record.status === 'connected'
          ? 'connected'
          : 'disconnected',
    rooms: [...record.rooms],
    transport: session?.transport ?? 'polling',
    connection: record.sid,
    protocol: record.protocol,
    since: record.since,
    node: record.node,
    ...optionalLabel(record.label),
    ...(record.recovery ? { recovery: explainRecoveryNotes(record.recovery) } : {}),
  };
}

/** A socket still in middleware: not in the log yet, so read from the live object. */
function connectingEntry(socket: LiveSocket, session: SessionRecord | undefined, node: string): SocketEntry {
  return {
    id: socket.id,
    nsp: socket.nsp.name,
    state: 'connecting',
    rooms: [],
    transport: session?.transport ?? 'polling',
    connection: socket.client.id,
    protocol: socket.client.protocol,
    since: socket.createdAt,
    node,
  };
}

export function connectionEntry(session: SessionRecord, live: LiveSession | undefined, sockets: readonly SocketRecord[]): ConnectionEntry {
  const heartbeat = session.heartbeat;
  const lastPingAt = live?.lastPingAt ?? (session.protocol === 4 ? heartbeat.lastPingSentAt : heartbeat.lastPingReceivedAt);
  const lastPongAt = live?.lastPongAt ?? (session.protocol === 4 ? heartbeat.lastPongReceivedAt : heartbeat.lastPongSentAt);
  return {
    sid: session.sid,
    state: connectionState(session, live),
    transport: session.transport,
    transports: [...session.transports],
    protocol: session.protocol,
    remoteAddress: session.remoteAddress,
    ...(lastPingAt !== undefined && { lastPingAt }),
    ...(lastPongAt !== undefined && { lastPongAt }),
    since: session.openedAt,
    sockets: sockets.filter((socket) => socket.status === 'connected').length,
    node: session.node,
    ...optionalLabel(labelOf(sockets)),
    ...refusedEntry(session),
  };
}

/** The live machine state when there is one ("open.websocket" → "websocket"), else what the log says. */
function connectionState(session: SessionRecord, live: LiveSession | undefined): ConnectionEntry['state'] {
  if (live?.state !== undefined) {
    const leaf = live.state.slice(live.state.lastIndexOf('.') + 1);
    const state = leaf === 'open' ? session.transport : leaf;
    if (CONNECTION_STATES.has(state)) return state as ConnectionEntry['state'];
  }
  return session.status === 'upgrading' ? 'upgrading' : session.transport;
}

/** `{ label }` when there is one: absent, not undefined, in the JSON. */
function optionalLabel(label: string | undefined): { label?: string } {
  return label === undefined ? {} : { label };
}
