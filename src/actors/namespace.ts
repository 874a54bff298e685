/**
 * A namespace: a pool of sockets under one name (`/`, `/chat`…), its
 * middlewares, its adapter, and the 2.x emission modifiers (`to`, `in`,
 * `volatile`, `binary`, `local`, `compress`) that apply to the next emit.
 */
import { EventEmitter } from 'node:events';
import { MachineHost } from '../machines/host';
import { namespaceMachine } from '../machines/namespace';
import type { EffectHandlers } from '../machines/effects';
import { PacketType } from '../parser/packet';
import type { BroadcastFlags } from '../adapters/memory-adapter';
import type { AdapterConstructor, NamespaceAdapter } from '../adapters/adapter-contract';
import { adoptAdapter } from '../adapters/legacy-adapter';
import type { Client } from './client';
import type { Server } from './server';
import { Socket, type ConnectPayload } from './socket';
import { RESERVED_EVENTS } from './reserved-events';
import { runMiddlewares } from './middleware-chain';
import { CAPTURE_REJECTIONS } from './errors';
import { middlewareRule } from './server-options';
import { checkOption } from '../transport/option-rules';

/**
 * `nsps[name]` if it is an own entry: a name a client picked can never
 * reach Object.prototype (`/__proto__`, `constructor`), whatever the object.
 */
export function namespaceNamed(nsps: Readonly<Record<string, Namespace>>, name: string): Namespace | undefined {
  return Object.hasOwn(nsps, name) ? nsps[name] : undefined;
}

export type NamespaceMiddleware = (socket: Socket, next: (err?: Error & { data?: unknown }) => void) => unknown;

export class Namespace extends EventEmitter {
  /** Sockets connected to this namespace on this node, by id. */
  readonly connected: Record<string, Socket> = {};
  adapter!: NamespaceAdapter;
  /** The middlewares run for every incoming socket, in order. */
  readonly fns: NamespaceMiddleware[] = [];
  private rooms: string[] = [];
  /** The modifiers of the next emit (public in socket.io 2.x, where adapters and apps read it); reset by each emit. */
  flags: BroadcastFlags = {};
  private readonly lifecycle: MachineHost<typeof namespaceMachine>;

  constructor(
    readonly server: Server,
    readonly name: string,
    /** For a child of a dynamic namespace: its parent's label and the session whose connect created it, for the log. */
    private readonly origin?: { parent: string; sid: string },
    /** A fixed adapter class for this namespace (dynamic parents), instead of the server's. */
    private readonly ownAdapter?: AdapterConstructor,
  ) {
    super(CAPTURE_REJECTIONS);
    this.initAdapter();
    this.lifecycle = new MachineHost(namespaceMachine, Namespace.effects, undefined, this);
  }

  /** The namespace machine's effects (src/machines/effects.ts); `this` is the namespace. */
  private static readonly effects: EffectHandlers<typeof namespaceMachine, Namespace> = {
    announceCreate() {
      this.server.log.record({ type: 'nsp.create', nsp: this.name, ...this.origin });
    },
    disconnectAll() {
      for (const socket of Object.values(this.connected)) socket.onclose('server shutting down', 'server');
    },
  };

  /** An `async` connection listener that rejected: reported like one that threw. */
  [Symbol.for('nodejs.rejection')](err: unknown, _event: string, socket?: unknown): void {
    this.server.reportAppError(err, socket instanceof Socket ? socket : undefined);
  }

  /** Alias kept by socket.io 2.x: the same object as `connected`. */
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

  get sockets(): Record<string, Socket> {
    return this.connected;
  }

  /** The lifecycle state: `active` or `closed`. */
  get state(): string {
    return this.lifecycle.state;
  }

  initAdapter(): void {
    this.adapter = adoptAdapter(new (this.ownAdapter ?? this.server.adapterConstructor)(this), this);
  }

  use(fn: NamespaceMiddleware): this {
    checkOption('namespace.use(fn)', middlewareRule, fn);
    this.fns.push(fn);
    return this;
  }

  to(room: string | string[]): this {
    for (const name of Array.isArray(room) ? room : [room]) {
      if (!this.rooms.includes(name)) this.rooms.push(String(name));
    }
    return this;
  }

  in(room: string | string[]): this {
    return this.to(room);
  }

  get volatile(): this {
    this.flags.volatile = true;
    return this;
  }

  get local(): this {
    this.flags.local = true;
    return this;
  }

  /** socket.io 2.x kept `json` as a flag that changes nothing but is recorded; so do we. */
  get json(): this {
    this.flags.json = true;
    return this;
  }

  binary(value: boolean): this {
    this.flags.binary = value;
    return this;
  }

  compress(value: boolean): this {
    this.flags.compress = value;
    return this;
  }

  /** Broadcasts an event to every socket of the namespace (or of the rooms chosen with `to`). */
  // Returns `this` for chaining, as socket.io 2.x (typed `any` to stay an EventEmitter override).
  override emit(event: string | symbol, ...args: unknown[]): any {
    if (typeof event === 'symbol' || RESERVED_EVENTS.has(event)) throw new Error(`"${String(event)}" is a reserved event name`);
    if (typeof args[args.length - 1] === 'function') {
      this.resetModifiers();
      throw new Error('Callbacks are not supported when broadcasting');
    }
    const rooms = this.rooms;
    const flags = this.flags;
    this.resetModifiers();
    this.adapter.broadcast({ type: PacketType.EVENT, nsp: this.name, data: [event, ...args] }, { rooms, flags });
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
    const rooms = this.rooms;
    this.resetModifiers();
    this.adapter.clients(rooms, fn);
    return this;
  }

  /** Runs the middlewares, then connects a new socket of `client`; refused sockets never reach `connection`. */
  add(client: Client, payload: ConnectPayload): Socket {
    const socket = new Socket(this, client, payload);
    const fns = this.fns;
    // The outcome always lands a tick after the last middleware, as in socket.io 2.x (it orders
    // a 2.x client's held CONNECTs: `/`'s middlewares, then the others', then the connections).
    const run = (done: (err?: Error & { data?: unknown }) => void) =>
      fns.length === 0
        ? process.nextTick(done)
        : runMiddlewares(fns, socket, (err) => this.server.reportAppError(err, socket), (err) => process.nextTick(done, err));
    run((err) => {
      // Refused meanwhile (connectTimeout) or gone with its connection: a late next() changes nothing.
      if (socket.state !== 'connecting') return;
      if (err) {
        socket.refuse(err.message, err.data);
        return;
      }
      if (client.conn.readyState !== 'open') {
        socket.onclose('transport close', 'client');
        return;
      }
      this.connected[socket.id] = socket;
      socket.onconnect();
      this.server.guard(socket, () => {
        super.emit('connect', socket);
        super.emit('connection', socket);
      });
    });
    return socket;
  }

  /** Forgets a socket that left the namespace. */
  remove(socket: Socket): void {
    if (this.connected[socket.id] === socket) delete this.connected[socket.id];
  }

  /** Closes the namespace for good: its sockets are disconnected with 'server shutting down'. */
  close(): void {
    this.lifecycle.send({ type: 'CLOSE' });
  }

  private resetModifiers(): void {
    this.rooms = [];
    this.flags = {};
  }
}
