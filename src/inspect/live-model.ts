/**
 * The live inspector's model: every connected socket, open connection,
 * namespace and named room, keyed for patching, produced with immer.
 *
 * While someone watches, the model follows the log: each event marks what it
 * touched (a socket, a connection, a room, a namespace) as dirty, and
 * `flush()` re-reads only those entries from the projections inside one
 * `produceWithPatches`, so a tick costs what changed, not the 100k entries
 * that did not. Heartbeats touch nothing shown (the page leaves ping times
 * to the full snapshot), so 100k idle connections pinging cost a `switch`
 * per event. Nobody watching, nothing is kept: `stop()` drops the model and
 * the subscription.
 *
 * Keys are JSON texts (`"sid"`, `["/chat","room"]`): never `__proto__` or a
 * number, whatever name a client chose, so a patch path can be applied to a
 * plain object safely and keys keep their insertion order.
 */
import { Immer, enablePatches, type Patch } from 'immer';
import type { LogEvent } from '../log/events';
import { sessionEnded } from '../log/projections';
import { roomKey as keyOfName } from '../log/projections/room-keys';
import {
  asMap,
  connectionEntry,
  latestClosed,
  socketEntry,
  DEFAULT_CLOSED,
  type ClosedEntry,
  type ConnectionEntry,
  type InspectableServer,
  type SocketEntry,
} from './snapshot';

enablePatches();
// The model never leaves this module but as JSON, and is changed only in `produceWithPatches`: freezing 100k entries buys nothing.
const immer = new Immer({ autoFreeze: false });

export interface LiveNamespaceEntry {
  name: string;
  state: string;
  /** Connected sockets. */
  sockets: number;
  /** Rooms other than each socket's own. */
  rooms: number;
}

export interface LiveRoomEntry {
  nsp: string;
  name: string;
  members: number;
}

/** Heartbeat times are left out: they change for every connection every pingInterval. */
export type LiveConnectionEntry = Omit<ConnectionEntry, 'lastPingAt' | 'lastPongAt'>;

export interface LiveModel {
  version: 1;
  node: string;
  /** Log position of the latest event folded in. */
  position: number;
  totals: { namespaces: number; sockets: number; connections: number; rooms: number };
  namespaces: Record<string, LiveNamespaceEntry>;
  /** Named rooms only; each socket's own room is counted in `totals.rooms`. */
  rooms: Record<string, LiveRoomEntry>;
  sockets: Record<string, SocketEntry>;
  connections: Record<string, LiveConnectionEntry>;
  /** The latest closed connections, newest first. */
  closed: ClosedEntry[];
}

/** A namespace name may be up to 16,383 characters: with the id, its key is long, and taken by its digest as a room's is. */
export const socketKey = (nsp: string, id: string) => keyOfName(JSON.stringify([nsp, id]));
/** Room names are the clients' choice: a long key is taken by its digest (room-keys.ts), or a thousand long rooms make every update compare them all. */
export const roomKey = (nsp: string, room: string) => keyOfName(JSON.stringify([nsp, room]));
export const nameKey = (name: string) => JSON.stringify(name);

/** The model as the projections and the live objects say it is now. */
export function buildLiveModel(io: InspectableServer): LiveModel {
  const model: LiveModel = {
    version: 1,
    node: io.log.node,
    position: io.log.lastPosition,
    totals: { namespaces: 0, sockets: 0, connections: 0, rooms: 0 },
    namespaces: {},
    rooms: {},
    sockets: {},
    connections: {},
    closed: [],
  };
  const reader = new Reader(io);
  const { sessions, rooms } = io.log.projections;
  for (const record of sessions.sockets()) setIfChanged(model.sockets, socketKey(record.nsp, record.socketId), reader.socket(record.nsp, record.socketId));
  for (const session of sessions.sessions()) {
    const entry = reader.connection(session.sid);
    if (entry) model.connections[nameKey(session.sid)] = entry;
    if (entry) model.totals.connections++;
  }
  for (const name of reader.namespaceNames()) {
    for (const room of rooms.roomNames(name)) setIfChanged(model.rooms, roomKey(name, room), reader.room(name, room));
    reader.namespace(model, name);
  }
  model.closed = reader.closed();
  reader.totals(model);
  return model;
}

/** Reads one entry at a time from the projections and the live server. */
class Reader {
  private readonly liveNamespaces;
  private readonly liveSessions;

  constructor(private readonly io: InspectableServer) {
    this.liveNamespaces = asMap(io.nsps);
    this.liveSessions = asMap(io.engine?.clients);
  }

  /** The namespaces a snapshot lists: those of the live server and those the log saw. */
  namespaceNames(): Set<string> {
    return new Set([...this.liveNamespaces.keys(), ...this.io.log.projections.rooms.namespaces()]);
  }

  socket(nsp: string, id: string): SocketEntry | undefined {
    const { sessions } = this.io.log.projections;
    const record = sessions.socket(nsp, id);
    if (record?.status !== 'connected') return undefined;
    return socketEntry(record, sessions.session(record.sid), this.liveNamespaces.get(nsp)?.connected[id]?.state);
  }

  connection(sid: string): LiveConnectionEntry | undefined {
    const { sessions } = this.io.log.projections;
    const session = sessions.session(sid);
    if (!session || sessionEnded(session.status)) return undefined;
    const { lastPingAt: _ping, lastPongAt: _pong, ...entry } = connectionEntry(session, this.liveSessions.get(sid), sessions.socketsOf(sid));
    return entry;
  }

  room(nsp: string, room: string): LiveRoomEntry | undefined {
    const members = this.io.log.projections.rooms.membersOf(nsp, room);
    if (!members || members.size === 0 || (members.size === 1 && members.has(room))) return undefined;
    return { nsp, name: room, members: members.size };
  }

  /** Sets, updates or removes the namespace's entry in `model`, counting its sockets and named rooms. */
  namespace(model: LiveModel, name: string): void {
    const { rooms } = this.io.log.projections;
    const live = this.liveNamespaces.get(name);
    if (!live && ![...rooms.namespaces()].includes(name)) {
      setIfChanged(model.namespaces, nameKey(name), undefined);
      return;
    }
    let sockets = 0;
    for (const _ of rooms.socketIds(name)) sockets++;
    let named = 0;
    for (const room of rooms.roomNames(name)) {
      const members = rooms.membersOf(name, room)!;
      if (!(members.size === 1 && members.has(room))) named++;
    }
    setIfChanged(model.namespaces, nameKey(name), { name, state: live?.state ?? 'active', sockets, rooms: named });
  }

  closed(): ClosedEntry[] {
    const { sessions } = this.io.log.projections;
    const closed = [...sessions.sessions()].filter((session) => sessionEnded(session.status));
    return latestClosed(closed, sessions, DEFAULT_CLOSED);
  }

  /** Namespaces, sockets and named rooms summed from the namespaces; connections are counted as they come and go. */
  totals(model: LiveModel): void {
    const namespaces = Object.values(model.namespaces);
    const totals = {
      namespaces: namespaces.length,
      sockets: namespaces.reduce((sum, namespace) => sum + namespace.sockets, 0),
      connections: model.totals.connections,
      rooms: namespaces.reduce((sum, namespace) => sum + namespace.rooms, 0),
    };
    if (JSON.stringify(totals) !== JSON.stringify(model.totals)) model.totals = totals;
  }
}

/** Assigns only when the entry differs, so an unchanged entry yields no patch. */
function setIfChanged<T>(record: Record<string, T>, key: string, entry: T | undefined): void {
  const current = record[key];
  if (entry === undefined) {
    if (current !== undefined) delete record[key];
    return;
  }
  if (current === undefined || JSON.stringify(current) !== JSON.stringify(entry)) record[key] = entry;
}

/** What one tick sends: the patches from the previous model to the new one, and the position reached. */
export interface LivePatches {
  patches: Patch[];
  position: number;
}

/**
 * Follows the log while started: `start()` builds the model and subscribes,
 * `flush()` brings the dirty entries up to date and returns the patches,
 * `stop()` lets it all go.
 */
export class LiveModelFollower {
  private model: LiveModel | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly dirtySockets = new Map<string, [nsp: string, id: string]>();
  private readonly dirtyConnections = new Set<string>();
  private readonly dirtyRooms = new Map<string, [nsp: string, room: string]>();
  private readonly dirtyNamespaces = new Set<string>();
  private closedDirty = false;
  private everything = false;

  constructor(private readonly io: InspectableServer) {}

  get started(): boolean {
    return this.model !== undefined;
  }

  /** The current model (what the next patches apply to); starts following when stopped. */
  current(): LiveModel {
    if (!this.model) {
      this.model = buildLiveModel(this.io);
      // What the projections fold, not what subscribers get: a cut name or a held-back record would name nothing there.
      this.unsubscribe = this.io.log.onFold((event) => this.mark(event));
    }
    return this.model;
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.model = undefined;
    this.clearDirty();
  }

  /** Patches that bring the model to what the log says now; none when nothing shown changed. */
  flush(): LivePatches {
    const base = this.current();
    const position = this.io.log.lastPosition;
    if (!this.hasDirty()) {
      // Heartbeats only: nothing shown changed, so no produce and no message; the position still follows.
      if (base.position !== position) this.model = { ...base, position };
      return { patches: [], position };
    }
    const reader = new Reader(this.io);
    const [next, patches] = immer.produceWithPatches(base, (draft: LiveModel) => {
      if (this.everything) this.resync(draft);
      else this.update(draft, reader);
      draft.position = position;
    });
    this.model = next;
    this.clearDirty();
    // Entries re-read but unchanged leave only the position: nothing worth a message.
    const shown = patches.filter((patch) => !(patch.path.length === 1 && patch.path[0] === 'position'));
    return { patches: shown.length === 0 ? [] : patches, position };
  }

  private update(draft: LiveModel, reader: Reader): void {
    for (const [key, [nsp, id]] of this.dirtySockets) {
      // Rooms it was in, in the model, may have lost a member.
      for (const room of draft.sockets[key]?.rooms ?? []) this.dirtyRooms.set(roomKey(nsp, room), [nsp, room]);
      const entry = reader.socket(nsp, id);
      for (const room of entry?.rooms ?? []) this.dirtyRooms.set(roomKey(nsp, room), [nsp, room]);
      setIfChanged(draft.sockets, key, entry);
      this.dirtyNamespaces.add(nsp);
    }
    for (const sid of this.dirtyConnections) {
      const key = nameKey(sid);
      const had = draft.connections[key] !== undefined;
      const entry = reader.connection(sid);
      setIfChanged(draft.connections, key, entry);
      if (had !== (entry !== undefined)) draft.totals.connections += entry ? 1 : -1;
    }
    for (const [key, [nsp, room]] of this.dirtyRooms) setIfChanged(draft.rooms, key, reader.room(nsp, room));
    for (const name of this.dirtyNamespaces) reader.namespace(draft, name);
    if (this.closedDirty) setIfChanged(draft as unknown as Record<string, ClosedEntry[]>, 'closed', reader.closed());
    reader.totals(draft);
  }

  /** After an event that may touch anything (a node went down, one restarted): every entry compared. */
  private resync(draft: LiveModel): void {
    const fresh = buildLiveModel(this.io);
    for (const part of ['namespaces', 'rooms', 'sockets', 'connections'] as const) {
      const target = draft[part] as Record<string, unknown>;
      const source = fresh[part] as Record<string, unknown>;
      for (const key of Object.keys(target)) if (!(key in source)) delete target[key];
      for (const [key, entry] of Object.entries(source)) setIfChanged(target, key, entry);
    }
    setIfChanged(draft as unknown as Record<string, unknown>, 'closed', fresh.closed);
    if (JSON.stringify(fresh.totals) !== JSON.stringify(draft.totals)) draft.totals = fresh.totals;
  }

  /** Notes what `event` touched; the projections already include it. */
  private mark(event: LogEvent): void {
    const { sessions } = this.io.log.projections;
    switch (event.type) {
      case 'conn.heartbeat':
      case 'app.error':
      case 'log.dropped':
        return;
      case 'log.suppressed':
        // It counts the refusals it held back on the connection's entry.
        if (event.types['socket.refused'] !== undefined) this.dirtyConnections.add(event.sid);
        return;
      case 'conn.open':
      case 'conn.error':
        this.dirtyConnections.add(event.sid);
        return;
      case 'conn.upgrade':
      case 'conn.close':
        // Its sockets show its transport; a close ends them too.
        this.dirtyConnections.add(event.sid);
        for (const socket of sessions.socketsOf(event.sid)) this.markSocket(socket.nsp, socket.socketId);
        if (event.type === 'conn.close') this.closedDirty = true;
        return;
      case 'socket.connect':
        this.dirtyConnections.add(event.sid);
        this.markSocket(event.nsp, event.socketId);
        return;
      case 'socket.disconnect': {
        const sid = event.sid ?? sessions.socket(event.nsp, event.socketId)?.sid;
        if (sid !== undefined) this.dirtyConnections.add(sid);
        this.markSocket(event.nsp, event.socketId);
        for (const room of event.rooms ?? []) this.dirtyRooms.set(roomKey(event.nsp, room), [event.nsp, room]);
        return;
      }
      case 'socket.recovery':
        // Its story lands on the socket record of that session (the old id's, or the one its connect makes).
        this.dirtyConnections.add(event.sid);
        if (event.socketId !== undefined) this.markSocket(event.nsp, event.socketId);
        for (const socket of sessions.socketsOf(event.sid)) this.markSocket(socket.nsp, socket.socketId);
        return;
      case 'socket.refused':
        this.dirtyConnections.add(event.sid);
        this.dirtyNamespaces.add(event.nsp);
        return;
      case 'room.join':
      case 'room.leave':
        this.markSocket(event.nsp, event.socketId);
        this.dirtyRooms.set(roomKey(event.nsp, event.room), [event.nsp, event.room]);
        return;
      case 'nsp.create':
      case 'nsp.delete':
        this.dirtyNamespaces.add(event.nsp);
        return;
      default:
        // server.start, node.down and whatever comes later: compare everything once.
        this.everything = true;
    }
  }

  private markSocket(nsp: string, id: string): void {
    this.dirtySockets.set(socketKey(nsp, id), [nsp, id]);
  }

  private hasDirty(): boolean {
    return this.everything || this.closedDirty || this.dirtySockets.size + this.dirtyConnections.size + this.dirtyRooms.size + this.dirtyNamespaces.size > 0;
  }

  private clearDirty(): void {
    this.dirtySockets.clear();
    this.dirtyConnections.clear();
    this.dirtyRooms.clear();
    this.dirtyNamespaces.clear();
    this.closedDirty = false;
    this.everything = false;
  }
}
