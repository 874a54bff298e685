/**
 * What this node holds, for answering the other nodes: its own sockets that
 * a `{ rooms, except }` selection picks, and the rooms they are in. The
 * projection is cluster-wide, so local means "in `nsp.connected`".
 */
import { RoomSet } from '../../log/projections/room-keys';
import type { AdapterNamespace, AdapterSocket } from '../adapter-contract';
import type { Adapter } from '../memory-adapter';

export interface Selection {
  rooms: string[];
  except?: string[];
}

/** The socket `id` of this node, if any: an own property only, so "__proto__" or "constructor" from a request names no socket. */
export function localSocket(nsp: AdapterNamespace, id: string): AdapterSocket | undefined {
  return Object.hasOwn(nsp.connected, id) ? nsp.connected[id] : undefined;
}

export function localSockets(adapter: Adapter, nsp: AdapterNamespace, selection: Selection): AdapterSocket[] {
  const sockets: AdapterSocket[] = [];
  for (const id of adapter.recipients({ rooms: selection.rooms, except: selection.except ?? [] })) {
    const socket = localSocket(nsp, id);
    if (socket) sockets.push(socket);
  }
  return sockets;
}

/** Rooms with at least one member on this node. */
export function localRooms(nsp: AdapterNamespace): string[] {
  const rooms = new RoomSet();
  const projection = nsp.server.log.projections.rooms;
  for (const id of Object.keys(nsp.connected)) {
    for (const room of projection.roomsOf(nsp.name, id) ?? []) rooms.add(room);
  }
  return [...rooms];
}

/** A socket as @socket.io/redis-adapter's fetchSockets answer describes it. */
export interface RemoteSocketData {
  id: string;
  handshake: Record<string, unknown>;
  rooms: string[];
  data: unknown;
}

/**
 * The rooms of socket `id` in join order, from the projection: not
 * `Object.keys(socket.rooms)`, an object slow to build from long
 * client-chosen names (room-keys.ts).
 */
export function roomsOfSocket(nsp: AdapterNamespace, id: string): string[] {
  return [...(nsp.server.log.projections.rooms.roomsOf(nsp.name, id) ?? [])];
}

export function describeSocket(nsp: AdapterNamespace, socket: AdapterSocket): RemoteSocketData {
  return {
    id: socket.id,
    handshake: { ...socket.handshake },
    rooms: roomsOfSocket(nsp, socket.id),
    data: socket.data,
  };
}
