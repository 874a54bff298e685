/**
 * A namespace's adapter as socket.io 4 shows it (`nsp.adapter`): `rooms`
 * as a Map of Sets, `sids` as a Map of Sets, the room events, and the
 * socket-set methods of socket.io-adapter 2.x. Membership lives in the
 * log's rooms projection; the maps are copies built on read, so a caller
 * can never change a projection by writing to them.
 *
 * Listeners are the core adapter's own (it emits the room events), so
 * `nsp.adapter.on('join-room', …)` hears every join, whoever made it.
 */
import type { Namespace as CoreNamespace } from '../actors/namespace';
import type { NamespaceAdapter } from '../adapters/adapter-contract';

type Listener = (...args: any[]) => void;

export class AdapterView {
  constructor(private readonly nsp: CoreNamespace) {}

  private get core(): NamespaceAdapter {
    return this.nsp.adapter;
  }

  private get store() {
    return this.nsp.server.log.projections.rooms;
  }

  /** Room → its members. */
  get rooms(): Map<string, Set<string>> {
    const rooms = new Map<string, Set<string>>();
    for (const room of this.store.roomNames(this.nsp.name)) rooms.set(room, new Set(this.store.membersOf(this.nsp.name, room)));
    return rooms;
  }

  /** Socket id → its rooms. */
  get sids(): Map<string, Set<string>> {
    const sids = new Map<string, Set<string>>();
    for (const id of this.store.socketIds(this.nsp.name)) sids.set(id, new Set(this.store.roomsOf(this.nsp.name, id)));
    return sids;
  }

  /** The rooms of socket `id`, or undefined when it is not connected. */
  socketRooms(id: string): Set<string> | undefined {
    const rooms = this.store.roomsOf(this.nsp.name, id);
    return rooms ? new Set(rooms) : undefined;
  }

  /** Ids of the sockets in any of `rooms` (every socket when empty). */
  sockets(rooms: ReadonlySet<string> = new Set()): Promise<Set<string>> {
    return new Promise((resolve, reject) => this.core.clients([...rooms], (err, ids) => (err ? reject(err) : resolve(new Set(ids)))));
  }

  addAll(id: string, rooms: ReadonlySet<string>): void {
    this.core.addAll(id, [...rooms]);
  }

  del(id: string, room: string): void {
    this.core.del(id, room);
  }

  delAll(id: string): void {
    this.core.delAll(id);
  }

  on(event: string, listener: Listener): this {
    this.core.on(event, listener);
    return this;
  }

  once(event: string, listener: Listener): this {
    this.core.once(event, listener);
    return this;
  }

  prependListener(event: string, listener: Listener): this {
    this.core.prependListener(event, listener);
    return this;
  }

  off(event: string, listener: Listener): this {
    this.core.off(event, listener);
    return this;
  }

  removeListener(event: string, listener: Listener): this {
    return this.off(event, listener);
  }

  removeAllListeners(event?: string): this {
    this.core.removeAllListeners(event);
    return this;
  }

  listeners(event: string): Listener[] {
    return this.core.listeners(event) as Listener[];
  }

  listenerCount(event: string): number {
    return this.core.listenerCount(event);
  }

  emit(event: string, ...args: unknown[]): boolean {
    return this.core.emit(event, ...args);
  }
}
