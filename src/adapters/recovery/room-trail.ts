/**
 * The rooms of one socket over the recent past, for recovery: the rooms it
 * is in now, and the joins and leaves that happened while its namespace's
 * packet store still holds packets. A packet of the store was addressed to
 * the socket by the rooms it was in when the packet was broadcast, not by
 * the rooms it is in when it recovers: a room left after a packet that never
 * reached the client must not take that packet away, nor a room joined after
 * it add it.
 *
 * A change is stamped with the number of the latest packet of the store when
 * it happened: it applies to packets numbered after its stamp. Room names
 * are the clients' choice, so the sets take long ones by digest (room-keys.ts).
 */
import { RoomSet } from '../../log/projections/room-keys';

export interface RoomChange {
  readonly after: number;
  readonly room: string;
  readonly joined: boolean;
}

export class RoomTrail {
  /** The rooms it is in now (for an absent socket: when it left). */
  readonly rooms: RoomSet;
  private changes: RoomChange[] = [];

  constructor(
    /** The number of the latest packet when the socket connected: no packet up to it was addressed to it. */
    readonly sinceN: number,
    rooms: Iterable<string>,
  ) {
    this.rooms = new RoomSet(rooms);
  }

  /** A join or leave that happened after packet `after`; one that changes nothing is not kept. */
  change(room: string, joined: boolean, after: number): void {
    if (this.rooms.has(room) === joined) return;
    if (joined) this.rooms.add(room);
    else this.rooms.delete(room);
    this.changes.push({ after, room, joined });
  }

  /** Forgets the changes no kept packet needs: those before packet `firstKept`. */
  prune(firstKept: number): void {
    let drop = 0;
    while (drop < this.changes.length && this.changes[drop]!.after < firstKept) drop++;
    if (drop > 0) this.changes = this.changes.slice(drop);
  }

  /** The rooms it was in when packet `n` was broadcast. */
  roomsAt(n: number): RoomSet {
    const rooms = new RoomSet(this.rooms);
    for (let i = this.changes.length - 1; i >= 0 && this.changes[i]!.after >= n; i--) undo(rooms, this.changes[i]!);
    return rooms;
  }

  /**
   * Calls `visit(n, rooms)` for each packet number from `high` down to
   * `low`, with the rooms of that moment: one walk back through the changes.
   */
  walkBack(high: number, low: number, visit: (n: number, rooms: ReadonlySet<string>) => void): void {
    const rooms = new RoomSet(this.rooms);
    let i = this.changes.length - 1;
    for (let n = high; n >= low; n--) {
      for (; i >= 0 && this.changes[i]!.after >= n; i--) undo(rooms, this.changes[i]!);
      visit(n, rooms);
    }
  }

  /** Every room it was in at some point after packet `n`. */
  roomsSince(n: number): RoomSet {
    const rooms = new RoomSet(this.rooms);
    for (const change of this.changes) if (change.after >= n) rooms.add(change.room);
    return rooms;
  }
}

function undo(rooms: RoomSet, change: RoomChange): void {
  if (change.joined) rooms.delete(change.room);
  else rooms.add(change.room);
}

/** Whether a packet broadcast to `target` (none: everyone) except `except` reached a socket in `rooms`. */
export function addressedTo(rooms: ReadonlySet<string>, target: readonly string[], except: readonly string[]): boolean {
  if (target.length > 0 && !target.some((room) => rooms.has(room))) return false;
  return !except.some((room) => rooms.has(room));
}
