/**
 * Collections keyed by room names, which clients choose (`socket.on('join',
 * (name) => socket.join(name))` is common). V8 hashes a string past 16,383
 * characters by its length alone, so in a plain Map or Set all such names
 * of one length collide and each lookup compares them all: a thousand
 * 20,000-character rooms cost one client's joins and leaves seconds of CPU.
 * Here such a name is keyed by its digest, so an operation costs one pass
 * over the name; a shorter name is its own key and costs nothing more.
 */
import { stringDigest } from '../string-digest';

/** The longest string V8 hashes by its content (String::kMaxHashCalcLength). */
export const MAX_HASHED_LENGTH = 16_383;

/** A digest key: a NUL and the 44 characters of a base64 sha256. */
const DIGEST_KEY_LENGTH = 45;

/**
 * The key of a room name: the name itself, or a NUL and the name's digest
 * for a name V8 would hash by its length alone. A name of a digest key's
 * length that begins with a NUL is keyed by its digest too, so no name can
 * pass for another's key; for any other name this costs two comparisons of
 * its length (the broadcast looks its room up by this). The digest tells
 * apart names that differ only in lone surrogates (string-digest.ts).
 */
export function roomKey(name: string): string {
  const length = name.length;
  if (length <= MAX_HASHED_LENGTH && (length !== DIGEST_KEY_LENGTH || name.charCodeAt(0) !== 0)) return name;
  return `\u0000${stringDigest(name).digest('base64')}`;
}

/** The name a key stands for: a digest key's name is kept in `names`, and no plain key is there. */
function nameOf(key: string, names: ReadonlyMap<string, string>): string {
  return names.size === 0 ? key : (names.get(key) ?? key);
}

/** A Map from room names to `V`, giving back the names as they were set. */
export class RoomMap<V> {
  private readonly values = new Map<string, V>();
  /** Digest key → name, for the names keyed by their digest. */
  private readonly names = new Map<string, string>();

  get size(): number {
    return this.values.size;
  }

  get(name: string): V | undefined {
    return this.values.get(roomKey(name));
  }

  has(name: string): boolean {
    return this.values.has(roomKey(name));
  }

  set(name: string, value: V): this {
    const key = roomKey(name);
    if (key !== name) this.names.set(key, name);
    this.values.set(key, value);
    return this;
  }

  delete(name: string): boolean {
    const key = roomKey(name);
    if (key !== name) this.names.delete(key);
    return this.values.delete(key);
  }

  *keys(): IterableIterator<string> {
    for (const key of this.values.keys()) yield nameOf(key, this.names);
  }

  *entries(): IterableIterator<[string, V]> {
    for (const [key, value] of this.values) yield [nameOf(key, this.names), value];
  }
}

/** A Set of room names, in insertion order, as a Set of strings reads. */
export class RoomSet implements ReadonlySet<string> {
  /** Key → name. */
  private readonly names: Map<string, string>;

  /** A copy of another RoomSet takes its keys as they are: no digest again. */
  constructor(names?: Iterable<string>) {
    if (names instanceof RoomSet) {
      this.names = new Map(names.names);
      return;
    }
    this.names = new Map();
    if (names) for (const name of names) this.add(name);
  }

  get size(): number {
    return this.names.size;
  }

  has(name: string): boolean {
    return this.names.has(roomKey(name));
  }

  add(name: string): this {
    this.names.set(roomKey(name), name);
    return this;
  }

  delete(name: string): boolean {
    return this.names.delete(roomKey(name));
  }

  values(): SetIterator<string> {
    return this.names.values() as SetIterator<string>;
  }

  keys(): SetIterator<string> {
    return this.values();
  }

  *entries(): SetIterator<[string, string]> {
    for (const name of this.names.values()) yield [name, name];
  }

  [Symbol.iterator](): SetIterator<string> {
    return this.values();
  }

  forEach(callback: (value: string, key: string, set: ReadonlySet<string>) => void, thisArg?: unknown): void {
    for (const name of this.names.values()) callback.call(thisArg, name, name, this);
  }
}
