/**
 * The contract between a namespace and its adapter, below both. The runtime
 * (src/actors) implements the namespace side; an adapter (iostate's memory
 * or Redis one, or one written for socket.io 2, a socket.io-adapter 1.x
 * subclass such as socket.io-redis 5, which `io.adapter(...)` accepts
 * unchanged) implements the other. An adapter sees a namespace, its sockets
 * and its server only through the interfaces here, never the runtime's
 * classes: it picks recipients, the namespace writes to them (`deliver`).
 */
import type { EventEmitter } from 'node:events';
import type { Packet } from '../parser/packet';
import type { EventLog } from '../log/event-log';
import type { KeptBroadcast, RemoteRecovery } from './recovery/outcome';

/** The modifiers of one emit (socket.io 2's `flags`). */
export interface BroadcastFlags {
  volatile?: boolean;
  compress?: boolean;
  local?: boolean;
  binary?: boolean;
  broadcast?: boolean;
  /** socket.io 2.x's no-op `json` flag, kept because apps can read it. */
  json?: boolean;
}

/** The flags of an emit that set none; shared so the common path allocates nothing. */
export const NO_FLAGS: BroadcastFlags = Object.freeze({});

/** Which sockets a broadcast reaches, and how; an adapter reads it, never changes it. */
export interface BroadcastOptions {
  /** Rooms to send to; none means every socket of the namespace. */
  readonly rooms: readonly string[];
  /** Rooms (and so socket ids) whose members must not receive it. */
  readonly except?: readonly string[];
  /**
   * The socket that broadcasts (socket.io 2.x's `socket.broadcast`/`socket.to`),
   * also in `except`: socket.io 2.x leaves out that socket alone, not the
   * other members of a room named after its id, as socket.io 4 does. Adapters
   * that do not read it leave those members out too.
   */
  readonly sender?: string;
  readonly flags?: Readonly<BroadcastFlags>;
  /** The broadcast's id across a cluster (iostate/redis sets it): a node that takes over a recovery replays it once. */
  readonly recoveryId?: string;
}

/** The 2.x shape of `adapter.rooms[name]`. */
export interface RoomView {
  sockets: Record<string, boolean>;
  length: number;
}

type Done = (err: Error | null) => void;

/** A socket as an adapter sees it: what the requests of other nodes act on. */
export interface AdapterSocket {
  readonly id: string;
  /** Its connection: the session id and the Socket.IO protocol (4 or 5) it speaks. */
  readonly client: { readonly id: string; readonly protocol: 4 | 5 };
  readonly handshake: object;
  /** The rooms it is in, keyed by name. */
  readonly rooms: Readonly<Record<string, string>>;
  readonly data: unknown;
  join(rooms: string | string[], fn?: Done): unknown;
  leave(room: string, fn?: Done): unknown;
  disconnect(close?: boolean): unknown;
  /** Emits to this client and waits for its ack; returns the function that stops waiting. */
  emitExpectingAck(event: string, args: readonly unknown[], ack: (...args: unknown[]) => void): () => void;
}

/** The server as an adapter sees it: the event log (rooms live in its projection), its namespaces, its path. */
export interface AdapterServer {
  readonly log: EventLog;
  readonly nsps: Readonly<Record<string, AdapterNamespace>>;
  path(): string;
}

/**
 * A namespace's connection state recovery (src/adapters/recovery/store.ts),
 * when it is on: the adapter keeps each broadcast and reports room changes.
 */
export interface RecoveryHooks {
  /** Keeps a broadcast's data; returns it with its offset appended, as 4.x clients get it. */
  keep(data: readonly unknown[], rooms: readonly string[], except: readonly string[], broadcast?: KeptBroadcast): unknown[];
  roomChanged(socketId: string, room: string, joined: boolean): void;
}

/** What a namespace offers its adapter. */
export interface AdapterNamespace {
  readonly name: string;
  readonly server: AdapterServer;
  readonly recovery?: RecoveryHooks;
  /** Its sockets on this node, by id (socket.io 2's `nsp.connected`, which socket.io-adapter 1.x reads too). */
  readonly connected: Readonly<Record<string, AdapterSocket>>;
  /**
   * Writes `packet`, encoded once, to each socket of `ids` connected here
   * (data plane; ids of other nodes or of sockets gone are skipped).
   * `legacyPacket`: what 2.x clients get instead (the packet without its
   * recovery offset, which their protocol has no place for).
   */
  deliver(ids: Iterable<string>, packet: Packet, flags: BroadcastFlags, legacyPacket?: Packet): void;
  /**
   * Another node's `serverSideEmit` (socket.io 4): `[event, ...args]`, an
   * ack function last when the sender waits for one. Reserved names are
   * refused before they get here.
   */
  receiveServerSideEmit?(args: unknown[]): void;
}

/** Which sockets an operation on many sockets picks: members of any of `rooms` (all when empty), minus members of `except`. */
export interface SocketSelection {
  rooms: string[];
  except?: string[];
}

/**
 * What an adapter of several nodes (iostate/redis) offers the v4 face, in
 * socket.io-adapter 2's terms: operations on the sockets of every node.
 * The in-memory adapter has none of these; the face then acts on this node.
 */
export interface ClusterOperations {
  /** Every node's sockets that `selection` picks, described (`id`, `handshake`, `rooms`, `data`). */
  fetchSockets(selection: SocketSelection): Promise<Array<{ id: string; handshake: Record<string, unknown>; rooms: string[]; data: unknown }>>;
  addSockets(selection: SocketSelection, rooms: string[]): void;
  delSockets(selection: SocketSelection, rooms: string[]): void;
  disconnectSockets(selection: SocketSelection, close: boolean): void;
  /** Sends `[event, ...args]` to the namespace's listeners on the other nodes. */
  serverSideEmit(args: unknown[]): void;
  /** The same, resolving with one answer per other node (rejects with those received once the request times out). */
  serverSideEmitWithAck(args: unknown[]): Promise<unknown[]>;
  /**
   * Sends `packet` to the sockets `selection` picks on the other nodes,
   * each expected to ack: `onClientCount` once per node that delivered it
   * (how many acks to expect from there), `onAck` with each client's answer,
   * until `timeout` ms have passed.
   */
  broadcastWithAck(
    packet: Packet,
    selection: SocketSelection & { timeout?: number },
    onClientCount: (count: number) => void,
    onAck: (answer: unknown) => void,
  ): void;
  /** How many nodes (this one included) serve the namespace. */
  serverCount(): Promise<number>;
}

/** What a namespace asks of its adapter: socket.io-adapter 1.x's public shape. */
export interface NamespaceAdapter extends EventEmitter {
  readonly nsp: AdapterNamespace;
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
  /** A cluster adapter's: asks the node that holds a session this node does not (connectionStateRecovery). */
  recoverRemote?(pid: string, offset: unknown): Promise<RemoteRecovery>;
}

/** What `io.adapter(X)` accepts: a class constructed with the namespace (as socket.io-adapter). */
export type AdapterConstructor = new (nsp: AdapterNamespace) => NamespaceAdapter;
