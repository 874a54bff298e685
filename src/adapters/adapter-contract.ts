/**
 * What a namespace asks of its adapter: iostate's own (memory, Redis) or
 * one written for socket.io 2 (a socket.io-adapter 1.x subclass such as
 * socket.io-redis 5), which `io.adapter(...)` accepts unchanged.
 */
import type { EventEmitter } from 'node:events';
import type { Packet } from '../parser/packet';
import type { Namespace } from '../actors/namespace';
import type { BroadcastOptions, RoomView } from './memory-adapter';

type Done = (err: Error | null) => void;

export interface NamespaceAdapter extends EventEmitter {
  readonly nsp: Namespace;
  /** Room name → members, socket.io-adapter's shape. */
  readonly rooms: Record<string, RoomView>;
  /** Socket id → its rooms. */
  readonly sids: Record<string, Record<string, boolean>>;
  addAll(id: string, rooms: string[], fn?: Done): void;
  del(id: string, room: string, fn?: Done): void;
  delAll(id: string, fn?: Done): void;
  broadcast(packet: Packet, opts: BroadcastOptions): void;
  clients(rooms: string[], fn: (err: Error | null, ids: string[]) => void): void;
  clientRooms(id: string, fn: (err: Error | null, rooms: string[] | null) => void): void;
  /** Called when its namespace is deleted (`cleanupEmptyChildNamespaces`); socket.io-adapter 1.x has none. */
  close?(): void;
}

/** What `io.adapter(X)` accepts: a class constructed with the namespace (as socket.io-adapter). */
export type AdapterConstructor = new (nsp: Namespace) => NamespaceAdapter;
