/**
 * The default, in-memory adapter, with the public shape of socket.io-adapter
 * (`rooms`, `sids`, `addAll`/`del`/`delAll`/`broadcast`/`clients`/`clientRooms`)
 * so that user code and other adapters keep working.
 *
 * It keeps no membership of its own: joins and leaves are appended to the
 * server's event log, and reads go to the log's rooms projection, so rooms
 * have one source of truth and a replay reproduces them exactly.
 * Broadcasting is data plane: the adapter picks the recipients from the
 * projection, the namespace writes one encoding to all of them (`deliver`).
 */
import { EventEmitter } from 'node:events';
import { PacketType, type Packet } from '../parser/packet';
import { NO_FLAGS, type AdapterNamespace, type BroadcastFlags, type BroadcastOptions, type NamespaceAdapter, type RoomView } from './adapter-contract';

type Callback<T> = (err: Error | null, result: T) => void;

export class Adapter extends EventEmitter implements NamespaceAdapter {
  constructor(readonly nsp: AdapterNamespace) {
    super();
  }

  private get log() {
    return this.nsp.server.log;
  }

  private get store() {
    return this.nsp.server.log.projections.rooms;
  }

  /** Room name → members, as socket.io-adapter 1.x exposed it. Built on read. */
  get rooms(): Record<string, RoomView> {
    const view: Record<string, RoomView> = {};
    for (const room of this.store.roomNames(this.nsp.name)) {
      const members = this.store.membersOf(this.nsp.name, room);
      if (!members) continue;
      const sockets: Record<string, boolean> = {};
      for (const id of members) sockets[id] = true;
      view[room] = { sockets, length: members.size };
    }
    return view;
  }

  /** Socket id → the rooms it is in, for sockets in at least one room. Built on read. */
  get sids(): Record<string, Record<string, boolean>> {
    const view: Record<string, Record<string, boolean>> = {};
    for (const id of this.store.socketIds(this.nsp.name)) {
      const joined = this.store.roomsOf(this.nsp.name, id);
      if (!joined || joined.size === 0) continue; // as socket.io-adapter: a socket in no room has no entry
      const rooms: Record<string, boolean> = {};
      for (const room of joined) rooms[room] = true;
      view[id] = rooms;
    }
    return view;
  }

  addAll(id: string, rooms: string[], fn?: (err: Error | null) => void): void {
    const current = this.store.roomsOf(this.nsp.name, id);
    for (const room of rooms) {
      if (current?.has(room)) continue;
      const created = this.store.membersOf(this.nsp.name, room) === undefined;
      this.log.record({ type: 'room.join', socketId: id, nsp: this.nsp.name, room });
      this.nsp.recovery?.roomChanged(id, room, true);
      if (this.hasRoomListeners()) this.announceJoin(id, room, created);
    }
    if (fn) process.nextTick(fn, null);
  }

  add(id: string, room: string, fn?: (err: Error | null) => void): void {
    this.addAll(id, [room], fn);
  }

  del(id: string, room: string, fn?: (err: Error | null) => void): void {
    if (this.store.roomsOf(this.nsp.name, id)?.has(room)) this.leaveRoom(id, room);
    if (fn) process.nextTick(fn, null);
  }

  delAll(id: string, fn?: (err: Error | null) => void): void {
    const rooms = this.store.roomsOf(this.nsp.name, id);
    if (rooms) {
      for (const room of [...rooms]) this.leaveRoom(id, room);
    }
    if (fn) process.nextTick(fn, null);
  }

  private leaveRoom(id: string, room: string): void {
    this.log.record({ type: 'room.leave', socketId: id, nsp: this.nsp.name, room });
    this.nsp.recovery?.roomChanged(id, room, false);
    if (!this.hasRoomListeners()) return;
    this.emit('leave-room', room, id);
    if (this.store.membersOf(this.nsp.name, room) === undefined) this.emit('delete-room', room);
  }

  /**
   * socket.io 4's room events (`create-room`, `join-room`, `leave-room`,
   * `delete-room`), which tools such as the admin UI listen to; socket.io
   * 2's adapter had none, and nobody listens on the 2.x face unless the app does.
   */
  private hasRoomListeners(): boolean {
    return this.listenerCount('join-room') + this.listenerCount('leave-room') + this.listenerCount('create-room') + this.listenerCount('delete-room') > 0;
  }

  private announceJoin(id: string, room: string, created: boolean): void {
    // A join the fold ignored (a socket no longer connected) is no join.
    if (!this.store.roomsOf(this.nsp.name, id)?.has(room)) return;
    if (created) this.emit('create-room', room);
    this.emit('join-room', room, id);
  }

  /** Ids of the sockets in any of `rooms` (all sockets of the namespace when empty), on this node. */
  clients(rooms: string[], fn: Callback<string[]>): void {
    const ids = [...this.recipients({ rooms: rooms ?? [] })];
    if (fn) process.nextTick(fn, null, ids);
  }

  clientRooms(id: string, fn: Callback<string[] | null>): void {
    const rooms = this.store.roomsOf(this.nsp.name, id);
    if (fn) process.nextTick(fn, null, rooms ? [...rooms] : null);
  }

  /** Called when its namespace is deleted (socket.io-adapter's hook): this adapter holds nothing to release. */
  close(): void {}

  /** Sends `packet` to the local sockets `opts` selects; the namespace encodes it once. */
  broadcast(packet: Packet, opts: BroadcastOptions): void {
    const flags = opts.flags ?? NO_FLAGS;
    const recovery = this.nsp.recovery;
    if (recovery && isRecoverable(packet, flags)) {
      // The sender is left out by its id alone (2.x), not as the room a recovered socket may have joined.
      const except = opts.sender === undefined ? (opts.except ?? []) : (opts.except ?? []).filter((room) => room !== opts.sender);
      const data = recovery.keep(packet.data as unknown[], opts.rooms, except, { id: opts.recoveryId, sender: opts.sender });
      this.nsp.deliver(this.recipients(opts), { ...packet, data }, flags, packet);
      return;
    }
    this.nsp.deliver(this.recipients(opts), packet, flags);
  }

  /**
   * The socket ids `opts` selects on this node: members of any of its rooms
   * (or all sockets), each once, minus members of the `except` rooms (and
   * the `sender`).
   */
  recipients(opts: Pick<BroadcastOptions, 'rooms' | 'except' | 'sender'>): Iterable<string> {
    return recipientsIn(this.nsp, opts);
  }
}

/**
 * Whether a packet is kept for recovery, as socket.io 4 decides: events
 * only, and neither those waiting for an ack (the callback cannot come back
 * with the client) nor volatile ones (losing them is their point).
 */
export function isRecoverable(packet: Packet, flags: BroadcastFlags): boolean {
  return (
    (packet.type === PacketType.EVENT || packet.type === PacketType.BINARY_EVENT) && packet.id === undefined && !flags.volatile && Array.isArray(packet.data)
  );
}

/**
 * The ids of the sockets of `nsp` on this node that `opts` selects, read from
 * the rooms projection: whatever the namespace's adapter, the log holds its
 * membership.
 */
export function recipientsIn(nsp: AdapterNamespace, opts: Pick<BroadcastOptions, 'rooms' | 'except' | 'sender'>): Iterable<string> {
  const store = nsp.server.log.projections.rooms;
  const excluded = membersOfAny(nsp, opts.except ?? [], opts.sender);
  if (opts.rooms.length === 0) return filterOut(Object.keys(nsp.connected), excluded);
  if (opts.rooms.length === 1) return filterOut(store.membersOf(nsp.name, opts.rooms[0]) ?? [], excluded);
  return filterOut(membersOfAny(nsp, opts.rooms), excluded);
}

/** Members of any of `rooms`; `sender`, one of them, stands for that socket alone. */
function membersOfAny(nsp: AdapterNamespace, rooms: readonly string[], sender?: string): Set<string> {
  const ids = new Set<string>();
  for (const room of rooms) {
    if (room === sender) {
      ids.add(sender);
      continue;
    }
    const members = nsp.server.log.projections.rooms.membersOf(nsp.name, room);
    if (members) for (const id of members) ids.add(id);
  }
  return ids;
}

function filterOut(ids: Iterable<string>, excluded: Set<string>): Iterable<string> {
  if (excluded.size === 0) return ids;
  const kept: string[] = [];
  for (const id of ids) if (!excluded.has(id)) kept.push(id);
  return kept;
}
