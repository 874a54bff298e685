/**
 * A namespace: a pool of sockets under one name (`/`, `/chat`…), its
 * middlewares, its adapter, and the 2.x emit modifiers (emit-modifiers.ts)
 * that apply to its next broadcast.
 */
import { EventEmitter } from 'node:events';
import { MachineHost } from '../machines/host';
import { namespaceMachine } from '../machines/namespace';
import type { EffectHandlers } from '../machines/effects';
import { PacketType, type Packet } from '../parser/packet';
import { PreparedMessage } from '../transport/prepared-message';
import type { AdapterConstructor, BroadcastFlags, NamespaceAdapter } from '../adapters/adapter-contract';
import { adoptAdapter } from '../adapters/legacy-adapter';
import { Adapter } from '../adapters/memory-adapter';
import type { Client } from './client';
import type { Server } from './server';
import { Socket, type SocketFace } from './socket';
import type { ConnectPayload } from './connect-payload';
import { RESERVED_EVENTS } from './reserved-events';
import { runMiddlewares } from './middleware-chain';
import { RecoveryAttempt } from './recovery-attempt';
import type { RecoveryStore } from '../adapters/recovery/store';
import { CAPTURE_REJECTIONS } from './errors';
import { broadcastOptions, ModifierChain } from './emit-modifiers';
import { middlewareRule } from './server-options';
import { checkOption } from '../transport/option-rules';

export type NamespaceMiddleware = (socket: Socket, next: (err?: Error & { data?: unknown }) => void) => unknown;

/**
 * The object an application holds for this namespace when another API face
 * (iostate/v4) sits on the core: its listeners hear `connect`/`connection`,
 * with the face's object for each socket, which it makes.
 */
export interface NamespaceFace extends EventEmitter {
  /** The face's object for a new socket, made before the socket's middlewares run. */
  socketFace(socket: Socket): SocketFace;
}

/** What a dynamic namespace's child needs of its parent (parent-namespace.ts): a name for the log, its face, and to be forgotten. */
export interface NamespaceParent {
  /** How the parent was defined, for the log. */
  readonly label: string;
  readonly face: NamespaceFace | undefined;
  deleteChild(child: Namespace): void;
}

export class Namespace extends ModifierChain {
  /** Sockets connected to this namespace on this node, by id. */
  readonly connected: Record<string, Socket> = {};
  adapter!: NamespaceAdapter;
  /** The middlewares run for every incoming socket, in order. */
  readonly fns: NamespaceMiddleware[] = [];
  /** Sockets connected here, and sockets still running the middlewares: a child is deleted when both are 0. */
  private connectedCount = 0;
  private connectingCount = 0;
  private deletionPending = false;
  private readonly lifecycle: MachineHost<typeof namespaceMachine>;
  /** Its connection state recovery store, when the server has the option on. */
  readonly recovery: RecoveryStore | undefined;
  /** The face's object for this namespace (iostate/v4), set by the face as the namespace is created; undefined on the 2.x face. */
  face: NamespaceFace | undefined;

  constructor(
    readonly server: Server,
    readonly name: string,
    /** For a child of a dynamic namespace: its parent, and the session whose connect created it (for the log). */
    readonly origin?: { parent: NamespaceParent; sid?: string },
    /** A fixed adapter class for this namespace (dynamic parents), instead of the server's. */
    private readonly ownAdapter?: AdapterConstructor,
  ) {
    super(CAPTURE_REJECTIONS);
    this.recovery = server.recovery?.storeFor(name);
    this.initAdapter();
    this.lifecycle = new MachineHost(namespaceMachine, Namespace.effects, undefined, this);
  }

  /** The namespace machine's effects (src/machines/effects.ts); `this` is the namespace. */
  private static readonly effects: EffectHandlers<typeof namespaceMachine, Namespace> = {
    announceCreate() {
      const origin = this.origin;
      this.server.log.record({
        type: 'nsp.create',
        nsp: this.name,
        ...(origin ? { parent: origin.parent.label, ...(origin.sid === undefined ? {} : { sid: origin.sid }) } : {}),
      });
    },
    disconnectAll() {
      for (const socket of Object.values(this.connected)) socket.onclose('server shutting down', 'server');
    },
    announceDelete() {
      this.server.log.record({ type: 'nsp.delete', nsp: this.name });
    },
  };

  /** An `async` connection listener that rejected: reported like one that threw. */
  [Symbol.for('nodejs.rejection')](err: unknown, _event: string, socket?: unknown): void {
    this.server.reportAppError(err, socket instanceof Socket ? socket : undefined);
  }

  // Typed `connection` listeners; other events take any arguments.
  override on(event: 'connection' | 'connect', listener: (socket: Socket) => void): this;
  override on(event: string, listener: (...args: any[]) => void): this;
  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    return super.on(event, listener);
  }

  override once(event: 'connection' | 'connect', listener: (socket: Socket) => void): this;
  override once(event: string, listener: (...args: any[]) => void): this;
  override once(event: string | symbol, listener: (...args: any[]) => void): this {
    return super.once(event, listener);
  }

  /** Alias kept by socket.io 2.x: the same object as `connected`. */
  get sockets(): Record<string, Socket> {
    return this.connected;
  }

  /** The lifecycle state: `active` or `closed`. */
  get state(): string {
    return this.lifecycle.state;
  }

  /** Makes the namespace's adapter; `io.adapter(X)` calls it again, and then the adapter it replaces is closed when it is one of iostate's. */
  initAdapter(): void {
    const replaced = this.adapter as NamespaceAdapter | undefined;
    this.adapter = adoptAdapter(new (this.ownAdapter ?? this.server.adapterConstructor)(this), this);
    // socket.io drops the old adapter, whose rooms are its own. Ours all read the log's rooms: a replaced Redis
    // adapter still subscribed would deliver each broadcast of the other nodes a second time, and answer their requests twice.
    if (replaced instanceof Adapter) replaced.close();
  }

  use(fn: NamespaceMiddleware): this {
    checkOption('namespace.use(fn)', middlewareRule, fn);
    this.fns.push(fn);
    return this;
  }

  /** Broadcasts an event to every socket of the namespace (or as the modifiers chose). */
  // Returns `this` for chaining, as socket.io 2.x (typed `any` to stay an EventEmitter override).
  override emit(event: string | symbol, ...args: unknown[]): any {
    if (typeof event === 'symbol' || RESERVED_EVENTS.has(event)) throw new Error(`"${String(event)}" is a reserved event name`);
    const modifiers = this.takeModifiers();
    if (typeof args[args.length - 1] === 'function') throw new Error('Callbacks are not supported when broadcasting');
    this.adapter.broadcast({ type: PacketType.EVENT, nsp: this.name, data: [event, ...args] }, broadcastOptions(modifiers));
    return this;
  }

  send(...args: unknown[]): this {
    this.emit('message', ...args);
    return this;
  }

  write(...args: unknown[]): this {
    return this.send(...args);
  }

  /** Ids of the sockets connected here (or in the rooms chosen with `to`). */
  clients(fn: (err: Error | null, clients: string[]) => void): this {
    this.adapter.clients([...this.takeModifiers().rooms], fn);
    return this;
  }

  /**
   * A client asks to join: its socket is created (connecting), the
   * middlewares run, then the socket is refused (it sends its CONNECT_ERROR)
   * or registered (it sends its CONNECT) and handed to the `connection`
   * listeners. Refused sockets never reach them.
   */
  add(client: Client, payload: ConnectPayload): Socket {
    const socket = new Socket(this, client, payload);
    this.connectingCount++;
    // Under connectionStateRecovery the socket may be an earlier one, which the cluster may have to find first.
    if (this.recovery) RecoveryAttempt.begin(this, client, payload, socket, (recovery) => this.admit(client, socket, recovery));
    else this.admit(client, socket);
    return socket;
  }

  /** Runs the middlewares (unless a recovered socket skips them), then registers the socket or refuses it. */
  private admit(client: Client, socket: Socket, recovery?: RecoveryAttempt): void {
    this.runMiddlewares(socket, recovery?.skipsMiddlewares === true, (err) => {
      // Refused meanwhile (connectTimeout) or gone with its connection: a late next() changes nothing.
      if (socket.state !== 'connecting') return recovery?.abandoned();
      if (err) {
        recovery?.refused(err.message);
        return socket.refuse(err.message, err.data);
      }
      if (client.conn.readyState !== 'open') {
        recovery?.abandoned();
        return socket.onclose('transport close', 'client');
      }
      recovery?.finish();
      this.connected[socket.id] = socket;
      this.connectedCount++;
      socket.onconnect();
      this.server.guard(socket, () => {
        const events = this.face ?? this;
        const appSocket = socket.face ?? socket;
        EventEmitter.prototype.emit.call(events, 'connect', appSocket);
        EventEmitter.prototype.emit.call(events, 'connection', appSocket);
      });
    });
  }

  /**
   * Runs the middlewares for `socket`, then `done` with the refusal, if any.
   * The outcome always lands a tick after the last middleware, as in
   * socket.io 2.x (it orders a 2.x client's held CONNECTs: `/`'s
   * middlewares, then the others', then the connections).
   */
  private runMiddlewares(socket: Socket, skip: boolean, done: (err?: Error & { data?: unknown }) => void): void {
    if (skip || this.fns.length === 0) {
      process.nextTick(done);
      return;
    }
    runMiddlewares(
      this.fns,
      socket,
      (err) => this.server.reportAppError(err, socket),
      (err) => process.nextTick(done, err),
    );
  }

  /** The namespace side of its adapter's broadcasts (src/adapters/adapter-contract.ts): one encoding, written to each local recipient. */
  deliver(ids: Iterable<string>, packet: Packet, flags: BroadcastFlags, legacyPacket?: Packet): void {
    let message: PreparedMessage | undefined;
    let legacyMessage: PreparedMessage | undefined;
    for (const id of ids) {
      // An own entry only: an id read from a room ("__proto__" from a hostile source) names no socket.
      if (!Object.hasOwn(this.connected, id)) continue;
      const client = this.connected[id].client;
      if (legacyPacket && client.protocol === 4) {
        legacyMessage ??= new PreparedMessage(this.server.codec.encode(legacyPacket, flags));
        client.writePrepared(legacyMessage, flags);
        continue;
      }
      message ??= new PreparedMessage(this.server.codec.encode(packet, flags));
      const socket = this.connected[id];
      socket.face?.onOutgoingPacket?.(packet);
      client.writePrepared(message, flags);
    }
  }

  /** Another node's serverSideEmit (socket.io 4): this namespace's listeners (its face's) hear it. */
  receiveServerSideEmit(args: unknown[]): void {
    this.server.guard(undefined, () => EventEmitter.prototype.emit.apply(this.face ?? this, args as [string, ...unknown[]]));
  }

  /** Forgets a socket that left the namespace. */
  remove(socket: Socket): void {
    if (this.connected[socket.id] !== socket) return;
    delete this.connected[socket.id];
    this.connectedCount--;
    this.deleteIfEmptySoon();
  }

  /** A socket left `connecting` (connected, refused, or gone with its connection): the middlewares no longer hold it here. */
  settled(): void {
    this.connectingCount--;
    this.deleteIfEmptySoon();
  }

  /** Closes the namespace for good: its sockets are disconnected with 'server shutting down'. */
  close(): void {
    this.lifecycle.send({ type: 'CLOSE' });
  }

  /**
   * `cleanupEmptyChildNamespaces` (socket.io 4.6): a dynamic parent's child
   * with no socket left is deleted, on the next tick, so that the refusal or
   * disconnect that emptied it is recorded first and a socket arriving in the
   * same tick keeps it. Checked from its creation too: a child whose first
   * socket never arrives (its client left, its CONNECT held) is not kept.
   */
  deleteIfEmptySoon(): void {
    if (this.deletionPending || !this.origin?.parent || !this.server.cleanupEmptyChildNamespaces || !this.isEmpty()) return;
    this.deletionPending = true;
    process.nextTick(deleteIfStillEmpty, this);
  }

  private isEmpty(): boolean {
    return this.connectedCount === 0 && this.connectingCount === 0;
  }

  /** Called on the tick after it emptied: frees it unless a socket came meanwhile. */
  deleteIfEmpty(): void {
    this.deletionPending = false;
    if (!this.isEmpty() || this.state !== 'active') return;
    this.origin?.parent.deleteChild(this);
    this.adapter.close?.();
    this.lifecycle.send({ type: 'DELETE' });
  }
}

function deleteIfStillEmpty(nsp: Namespace): void {
  nsp.deleteIfEmpty();
}
