/**
 * A read-only Map over the core's own records (a namespace's sockets, the
 * server's namespaces), giving the face's objects: socket.io 4 shows Maps
 * where socket.io 2 showed objects. It reads the core on every call, so it
 * can never disagree with it; iterating walks a copy, so sockets may come
 * and go meanwhile (a disconnect in a loop).
 */
export class LiveMap<V> implements ReadonlyMap<string, V> {
  constructor(
    /** The entries now, in order. */
    private readonly read: () => Map<string, V>,
    /** One entry, without building the others. */
    private readonly lookup: (key: string) => V | undefined,
  ) {}

  get size(): number {
    return this.read().size;
  }

  get(key: string): V | undefined {
    return this.lookup(key);
  }

  has(key: string): boolean {
    return this.lookup(key) !== undefined;
  }

  entries(): MapIterator<[string, V]> {
    return this.read().entries();
  }

  keys(): MapIterator<string> {
    return this.read().keys();
  }

  values(): MapIterator<V> {
    return this.read().values();
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.read()) callback.call(thisArg, value, key, this);
  }
}

/** The faces of the own entries of a core record (`nsp.connected`, `io.nsps`) that have one. */
export function facesOf<V>(record: Readonly<Record<string, { face?: unknown }>>): LiveMap<V> {
  return new LiveMap<V>(
    () => {
      const map = new Map<string, V>();
      for (const [key, value] of Object.entries(record)) if (value.face) map.set(key, value.face as V);
      return map;
    },
    (key) => (Object.hasOwn(record, key) ? (record[key].face as V | undefined) : undefined),
  );
}
