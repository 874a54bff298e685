/**
 * A dynamic namespace: `io.of(/^\/room-\d+$/)` or `io.of((name, query, next) => …)`.
 * It is never connected to directly; each accepted name becomes a child
 * namespace that inherits the parent's middlewares and `connect` listeners,
 * and emitting on the parent reaches the sockets of every child.
 */
import type { BroadcastOptions } from '../adapters/adapter-contract';
import { Adapter, recipientsIn } from '../adapters/memory-adapter';
import type { Packet } from '../parser/packet';
import { Namespace } from './namespace';
import { namespaceNamed } from './namespace-named';

export type NamespaceMatcher = (name: string, query: Record<string, unknown>, next: (err: Error | null, allow: boolean) => void) => unknown;

export class ParentNamespace extends Namespace {
  private static count = 0;
  readonly children = new Set<Namespace>();

  constructor(
    server: Namespace['server'],
    readonly matcher: NamespaceMatcher,
    /** How the parent was defined (the RegExp or function source), for the log. */
    readonly label: string,
    /** The RegExp it was defined with, if it was (socket.io 4's `io.of(name)` creates a matching name as its child). */
    readonly pattern?: RegExp,
  ) {
    super(server, `/_${ParentNamespace.count++}`, undefined, ParentBroadcastAdapter);
  }

  /** Creates the child `name`, wired to this parent's middlewares and listeners; `sid`: the session whose connect asked for it, if one did. */
  createChild(name: string, sid?: string): Namespace {
    const child = new Namespace(this.server, name, { parent: this, sid });
    child.fns.push(...this.fns);
    for (const event of ['connect', 'connection'] as const) {
      for (const listener of this.listeners(event)) child.on(event, listener as (...args: unknown[]) => void);
    }
    this.children.add(child);
    // A child a client's connect created is checked at once (its first socket may never come); one io.of() made waits for a socket to leave.
    if (sid !== undefined) child.deleteIfEmptySoon();
    return child;
  }

  /** Forgets a child that emptied (`cleanupEmptyChildNamespaces`): a later connection to its name creates it anew. */
  deleteChild(child: Namespace): void {
    this.children.delete(child);
    if (namespaceNamed(this.server.nsps, child.name) === child) delete this.server.nsps[child.name];
  }
}

/** Broadcasts of a parent namespace go to the same rooms of each of its children. */
class ParentBroadcastAdapter extends Adapter {
  override broadcast(packet: Packet, opts: BroadcastOptions): void {
    for (const child of (this.nsp as ParentNamespace).children) {
      child.adapter.broadcast({ ...packet, nsp: child.name }, opts);
    }
  }

  override clients(rooms: string[], fn: (err: Error | null, result: string[]) => void): void {
    const ids: string[] = [];
    for (const child of (this.nsp as ParentNamespace).children) ids.push(...recipientsIn(child, { rooms: rooms ?? [] }));
    process.nextTick(fn, null, ids);
  }
}
