/**
 * Packets a connected socket may not have received when the store let them
 * go: those evicted while still young (less than `settledMs` old, the time
 * in which the engine notices a dead transport), by room. A socket whose
 * last received packet is older than such a packet addressed to one of its
 * rooms cannot be recovered exactly. The index is bounded: past MAX_ROOMS it
 * forgets the oldest rooms and remembers only the highest packet forgotten
 * (`floor`), which then counts for every room. Room names are the
 * clients' choice: the index takes long ones by digest (room-keys.ts).
 */
import { RoomMap } from '../../log/projections/room-keys';

export type EvictionCause = 'window' | 'packets' | 'bytes';

export interface Eviction {
  readonly n: number;
  readonly cause: EvictionCause;
  /** When the packet was broadcast. */
  readonly packetAt: number;
}

const MAX_ROOMS = 10_000;

export class EvictionIndex {
  private everyone: Eviction | undefined;
  private readonly byRoom = new RoomMap<Eviction>();
  private floor: Eviction | undefined;

  add(eviction: Eviction, rooms: readonly string[]): void {
    if (rooms.length === 0) {
      this.everyone = eviction;
      return;
    }
    for (const room of rooms) {
      this.byRoom.delete(room); // re-inserted last: the map stays oldest first
      this.byRoom.set(room, eviction);
    }
    while (this.byRoom.size > MAX_ROOMS) {
      const [oldest, dropped] = this.byRoom.entries().next().value as [string, Eviction];
      this.byRoom.delete(oldest);
      if (!this.floor || dropped.n > this.floor.n) this.floor = dropped;
    }
  }

  /** A young eviction after packet `n` that may have been addressed to a socket in `rooms`, if any. */
  after(n: number, rooms: ReadonlySet<string>): Eviction | undefined {
    if (this.everyone && this.everyone.n > n) return this.everyone;
    if (this.floor && this.floor.n > n) return this.floor;
    for (const room of rooms) {
      const eviction = this.byRoom.get(room);
      if (eviction && eviction.n > n) return eviction;
    }
    return undefined;
  }
}
