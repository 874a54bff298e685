/**
 * The rooms projection: which sockets are in which rooms, per namespace.
 * It is the source of truth for room membership: the in-memory adapter
 * reads it to route broadcasts, and replay folds a log file with the same
 * function to rebuild membership at any time.
 *
 * The fold updates `state` in place and returns it (see docs/log.md, "The
 * fold decision"): it reads nothing but its two arguments.
 */
import type { LogEvent } from '../events';
import { RoomMap, RoomSet } from './room-keys';

/**
 * One namespace's membership, kept in both directions for O(1) reads. Room
 * names are the clients' choice: the collections keyed by them take a long
 * name by its digest (room-keys.ts).
 */
export interface NamespaceRooms {
  /** room → its members; a room with no members is deleted. */
  readonly rooms: RoomMap<Set<string>>;
  /** socketId → its rooms, for every connected socket (even one in no room). */
  readonly sockets: Map<string, RoomSet>;
  /** socketId → the node its connection lives on, to drop it when that node goes down. */
  readonly nodes: Map<string, string>;
}

export interface RoomsState {
  readonly namespaces: Map<string, NamespaceRooms>;
}

export function emptyRooms(): RoomsState {
  return { namespaces: new Map() };
}

function namespace(state: RoomsState, nsp: string): NamespaceRooms {
  let entry = state.namespaces.get(nsp);
  if (!entry) {
    entry = { rooms: new RoomMap(), sockets: new Map(), nodes: new Map() };
    state.namespaces.set(nsp, entry);
  }
  return entry;
}

function removeSocket(entry: NamespaceRooms, socketId: string): void {
  const joined = entry.sockets.get(socketId);
  if (joined) {
    for (const room of joined) leaveRoom(entry, room, socketId);
  }
  entry.sockets.delete(socketId);
  entry.nodes.delete(socketId);
}

function leaveRoom(entry: NamespaceRooms, room: string, socketId: string): void {
  const members = entry.rooms.get(room);
  if (!members) return;
  members.delete(socketId);
  if (members.size === 0) entry.rooms.delete(room);
}

/** Drops every socket whose connection lived on `node`: it went down or restarted. */
function dropNode(state: RoomsState, node: string): void {
  for (const [nsp, entry] of state.namespaces) {
    for (const [socketId, owner] of entry.nodes) {
      if (owner === node) removeSocket(entry, socketId);
    }
    forgetIfEmpty(state, nsp, entry);
  }
}

/**
 * A namespace with no socket has no entry, as a room with no member does not
 * exist: a flood of short-lived dynamic namespaces leaves nothing behind.
 */
function forgetIfEmpty(state: RoomsState, nsp: string, entry: NamespaceRooms): void {
  if (entry.sockets.size === 0) state.namespaces.delete(nsp);
}

/**
 * Folds one event into the membership. Joins and leaves of a socket that is
 * not connected (no `socket.connect` since its last disconnect) are ignored,
 * so a disconnected socket can never reappear in a room.
 */
export function foldRooms(state: RoomsState, event: LogEvent): RoomsState {
  switch (event.type) {
    case 'socket.connect': {
      const entry = namespace(state, event.nsp);
      // The same id connected by another node is another socket: it starts in no room.
      // (A node's own connect thus wipes what a forged entry said about one of its future ids.)
      if (entry.nodes.has(event.socketId) && entry.nodes.get(event.socketId) !== event.node) removeSocket(entry, event.socketId);
      if (!entry.sockets.has(event.socketId)) entry.sockets.set(event.socketId, new RoomSet());
      entry.nodes.set(event.socketId, event.node);
      break;
    }
    case 'room.join': {
      const entry = state.namespaces.get(event.nsp);
      const joined = entry?.sockets.get(event.socketId);
      if (!entry || !joined) break;
      joined.add(event.room);
      let members = entry.rooms.get(event.room);
      if (!members) {
        members = new Set();
        entry.rooms.set(event.room, members);
      }
      members.add(event.socketId);
      break;
    }
    case 'room.leave': {
      const entry = state.namespaces.get(event.nsp);
      const joined = entry?.sockets.get(event.socketId);
      if (!entry || !joined) break;
      joined.delete(event.room);
      leaveRoom(entry, event.room, event.socketId);
      break;
    }
    case 'socket.disconnect': {
      const entry = state.namespaces.get(event.nsp);
      if (!entry) break;
      removeSocket(entry, event.socketId);
      forgetIfEmpty(state, event.nsp, entry);
      break;
    }
    case 'node.down':
      dropNode(state, event.down);
      break;
    case 'server.start':
      // A node that starts again lost every connection it had before.
      dropNode(state, event.node);
      break;
    default:
      break;
  }
  return state;
}

/** The read API the adapter and the inspector use; it always reflects the latest fold. */
export interface RoomsView {
  /** Members of a room, or undefined when the room does not exist. */
  membersOf(nsp: string, room: string): ReadonlySet<string> | undefined;
  /** Rooms of a connected socket, or undefined when it is not connected to `nsp`. */
  roomsOf(nsp: string, socketId: string): ReadonlySet<string> | undefined;
  roomNames(nsp: string): Iterable<string>;
  /** Each room of a namespace with its members: a walk of every room without a lookup per room. */
  rooms(nsp: string): Iterable<[room: string, members: ReadonlySet<string>]>;
  /** Connected sockets of a namespace, in connection order. */
  socketIds(nsp: string): Iterable<string>;
  namespaces(): Iterable<string>;
}

export function roomsView(state: RoomsState): RoomsView {
  return {
    membersOf: (nsp, room) => state.namespaces.get(nsp)?.rooms.get(room),
    roomsOf: (nsp, socketId) => state.namespaces.get(nsp)?.sockets.get(socketId),
    roomNames: (nsp) => state.namespaces.get(nsp)?.rooms.keys() ?? [],
    rooms: (nsp) => state.namespaces.get(nsp)?.rooms.entries() ?? [],
    socketIds: (nsp) => state.namespaces.get(nsp)?.sockets.keys() ?? [],
    namespaces: () => state.namespaces.keys(),
  };
}
