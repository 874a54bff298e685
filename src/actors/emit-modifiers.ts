/**
 * The emit modifiers — `to`/`in`, `except`, `volatile`, `local`, `binary`,
 * `compress`, `json` (and a socket's `broadcast`) — written once.
 *
 * What they choose is a small immutable value (`EmitModifiers`: rooms,
 * excepted rooms, flags) changed only by pure `with…` functions, so an
 * operator that keeps one (a socket.io 4 face's broadcast operator, where
 * `io.to('a')` can be kept and emitted with again) can never see it change.
 * socket.io 2's API keeps the modifiers on the emitter instead:
 * `io.to('a').volatile` returns the same object and they apply to its next
 * emit only. `ModifierChain` is that API: Namespace and Socket extend it,
 * hold a pending value, and take it (leaving none) when they emit; Server
 * forwards to its `/` namespace.
 */
import { EventEmitter } from 'node:events';
import { NO_FLAGS, type BroadcastFlags, type BroadcastOptions } from '../adapters/adapter-contract';
import { RoomSet } from '../log/projections/room-keys';

/**
 * Values are not frozen (freezing showed on every emit with a modifier):
 * the readonly types and the `with…` functions, which always copy, keep a
 * value unchanged; the one shared value, `NO_MODIFIERS`, is frozen.
 */
export interface EmitModifiers {
  /** Rooms to reach; none means the whole namespace. */
  readonly rooms: readonly string[];
  /** Rooms (and so socket ids) whose members are left out. */
  readonly except: readonly string[];
  readonly flags: Readonly<BroadcastFlags>;
}

/** No modifier: shared, so an emit without any allocates nothing. */
export const NO_MODIFIERS: EmitModifiers = Object.freeze({ rooms: Object.freeze([]), except: Object.freeze([]), flags: NO_FLAGS });

/** Rooms given as one name or several; 2.x apps name rooms with numbers too, so each is made a string. */
export type RoomNames = string | number | readonly (string | number)[];

/** `modifiers` reaching `rooms` too (each room once). */
export function withRooms(modifiers: EmitModifiers, rooms: RoomNames): EmitModifiers {
  const next = addNames(modifiers.rooms, rooms);
  return next === modifiers.rooms ? modifiers : { rooms: next, except: modifiers.except, flags: modifiers.flags };
}

/** `modifiers` leaving out the members of `rooms` too. */
export function withExcept(modifiers: EmitModifiers, rooms: RoomNames): EmitModifiers {
  const next = addNames(modifiers.except, rooms);
  return next === modifiers.except ? modifiers : { rooms: modifiers.rooms, except: next, flags: modifiers.flags };
}

/** `modifiers` with `flag` set to `value`. */
export function withFlag<K extends keyof BroadcastFlags>(modifiers: EmitModifiers, flag: K, value: BroadcastFlags[K]): EmitModifiers {
  if (modifiers.flags[flag] === value) return modifiers;
  let flags: BroadcastFlags;
  if (modifiers.flags === NO_FLAGS) {
    flags = firstFlag(flag, value);
  } else {
    flags = Object.assign({}, modifiers.flags);
    flags[flag] = value;
  }
  return { rooms: modifiers.rooms, except: modifiers.except, flags };
}

/** The flags of an emit that sets one (the common case), as literals: a keyed store measured several times slower. */
function firstFlag<K extends keyof BroadcastFlags>(flag: K, value: BroadcastFlags[K]): BroadcastFlags {
  switch (flag) {
    case 'volatile':
      return { volatile: value as boolean };
    case 'compress':
      return { compress: value as boolean };
    case 'binary':
      return { binary: value as boolean };
    case 'local':
      return { local: value as boolean };
    case 'broadcast':
      return { broadcast: value as boolean };
    default:
      return { [flag]: value };
  }
}

/** Whether an emit with `modifiers` from a socket goes to others rather than to its own client. */
export function broadcasts(modifiers: EmitModifiers): boolean {
  return modifiers.rooms.length !== 0 || modifiers.except.length !== 0 || modifiers.flags.broadcast === true;
}

/** What the adapter gets for a broadcast with `modifiers`; `sender`: a socket that must not get it back. */
export function broadcastOptions(modifiers: EmitModifiers, sender?: string): BroadcastOptions {
  if (sender !== undefined) return { rooms: modifiers.rooms, except: withName(modifiers.except, sender), sender, flags: modifiers.flags };
  // No `except` rather than the shared frozen empty one: iterating a frozen array is a slow path.
  return modifiers.except.length === 0
    ? { rooms: modifiers.rooms, flags: modifiers.flags }
    : { rooms: modifiers.rooms, except: modifiers.except, flags: modifiers.flags };
}

/** Past this many names, each is not compared with all the others: a set takes them. */
const MANY_NAMES = 16;

function addNames(names: readonly string[], rooms: RoomNames): readonly string[] {
  if (!Array.isArray(rooms)) return withName(names, String(rooms));
  if (names.length + rooms.length > MANY_NAMES) return withManyNames(names, rooms as readonly (string | number)[]);
  let result = names;
  for (const room of rooms as readonly (string | number)[]) result = withName(result, String(room));
  return result;
}

/**
 * Each name once, in a RoomSet: comparing every name with every other is
 * quadratic, and client-chosen names past 16,383 characters of one length
 * collide in a plain Set (room-keys.ts).
 */
function withManyNames(names: readonly string[], rooms: readonly (string | number)[]): readonly string[] {
  const seen = new RoomSet(names);
  const next = names.slice();
  for (const room of rooms) {
    const name = String(room);
    const size = seen.size;
    if (seen.add(name).size > size) next.push(name); // one key (a digest when long) per name
  }
  return next.length === names.length ? names : next;
}

// Plain loops: on the emit path, Array.prototype.includes/slice/concat measured several times slower here.
function withName(names: readonly string[], name: string): readonly string[] {
  for (let i = 0; i < names.length; i++) if (names[i] === name) return names;
  const next: string[] = [];
  for (let i = 0; i < names.length; i++) next.push(names[i]);
  next.push(name);
  return next;
}

/**
 * socket.io 2's modifier API: each modifier records itself for the next
 * emit and returns `this`, so calls chain (`nsp.to('a').volatile.emit(…)`).
 */
export class ModifierChain extends EventEmitter {
  private pending: EmitModifiers = NO_MODIFIERS;

  /** socket.io 2's `flags`: those of the next emit (read-only; set them with the modifiers). */
  get flags(): Readonly<BroadcastFlags> {
    return this.pending.flags;
  }

  /** Restricts the next emit to `room` (a name or several); call again for a union, each recipient gets it once. */
  to(room: RoomNames): this {
    this.pending = withRooms(this.pending, room);
    return this;
  }

  /** The same as `to`. */
  in(room: RoomNames): this {
    return this.to(room);
  }

  /** Leaves the members of `room` (a name or several, a socket id too) out of the next emit (socket.io 4's `except`). */
  except(room: RoomNames): this {
    this.pending = withExcept(this.pending, room);
    return this;
  }

  /** The next emit goes out only if the transport can write it at once, else it is dropped. */
  get volatile(): this {
    return this.setFlag('volatile', true);
  }

  /** The next emit reaches this node's sockets only (with the Redis adapter). */
  get local(): this {
    return this.setFlag('local', true);
  }

  /** socket.io 2's `json` flag: recorded in `flags`, changes nothing. */
  get json(): this {
    return this.setFlag('json', true);
  }

  /** `false`: the next emit goes out as JSON, its arguments not searched for binary. */
  binary(value: boolean): this {
    return this.setFlag('binary', value);
  }

  /** `false`: the next emit is not compressed. */
  compress(value: boolean): this {
    return this.setFlag('compress', value);
  }

  /** Sets a flag of the next emit. */
  protected setFlag<K extends keyof BroadcastFlags>(flag: K, value: BroadcastFlags[K]): this {
    this.pending = withFlag(this.pending, flag, value);
    return this;
  }

  /** The modifiers of this emit; the next one starts from none. */
  protected takeModifiers(): EmitModifiers {
    const modifiers = this.pending;
    this.pending = NO_MODIFIERS;
    return modifiers;
  }
}
