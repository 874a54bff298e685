/**
 * socket.io 4's Namespace over a core namespace (src/actors/namespace.ts),
 * which runs the middlewares, connects and records the sockets. This face
 * gives it socket.io 4's shapes: `sockets` as a Map, `adapter.rooms` as a
 * Map of Sets, emits through immutable BroadcastOperators, Promises for the
 * operations on many sockets.
 */
import { EventEmitter } from 'node:events';
import type { Namespace as CoreNamespace, NamespaceFace } from '../actors/namespace';
import type { Socket as CoreSocket } from '../actors/socket';
import type { ClusterOperations } from '../adapters/adapter-contract';
import { AdapterView } from './adapter-view';
import { BroadcastOperator } from './broadcast-operator';
import type { RemoteSocket } from './remote-socket';
import { Socket } from './socket';
import { facesOf, type LiveMap } from './live-map';
import type { Server } from './server';
import type {
  AllButLast,
  DecorateAcknowledgementsWithMultipleResponses,
  DefaultEventsMap,
  EventNames,
  EventNamesWithAck,
  EventParams,
  EventsMap,
  FirstArg,
  Last,
} from './typed-events';

/** A namespace middleware: `next()` lets the socket in, `next(err)` refuses it (the client gets `err.message` and `err.data`). */
export type Middleware<L extends EventsMap = any, E extends EventsMap = any, S extends EventsMap = any, D = any> = (
  socket: Socket<L, E, S, D>,
  next: (err?: ExtendedError) => void,
) => void | Promise<void>;

export interface ExtendedError extends Error {
  data?: any;
}

export interface NamespaceReservedEventsMap<L extends EventsMap, E extends EventsMap, S extends EventsMap, D> {
  connect: (socket: Socket<L, E, S, D>) => void;
  connection: (socket: Socket<L, E, S, D>) => void;
}

/** What the main namespace's listeners also hear (socket.io 4 emits `new_namespace` there). */
export interface ServerReservedEventsMap<L extends EventsMap, E extends EventsMap, S extends EventsMap, D> extends NamespaceReservedEventsMap<L, E, S, D> {
  new_namespace: (namespace: Namespace<L, E, S, D>) => void;
}

type Operator<E extends EventsMap, D> = BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<E>, D>;

export class Namespace<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any,
>
  extends EventEmitter
  implements NamespaceFace
{
  /** The sockets connected here on this node, by id. */
  readonly sockets: LiveMap<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>;

  constructor(
    readonly server: Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    /** The core namespace this object is the face of. */
    readonly core: CoreNamespace,
  ) {
    super({ captureRejections: true });
    this.sockets = facesOf(core.connected);
    core.face = this;
  }

  /** An `async` listener that rejected (a `connection` handler): reported like one that threw. */
  [Symbol.for('nodejs.rejection')](err: unknown, _event: string, socket?: unknown): void {
    this.core.server.reportAppError(err, socket instanceof Socket ? socket.core : undefined);
  }

  get name(): string {
    return this.core.name;
  }

  /** The adapter, with socket.io 4's shapes; replaced with the core's when `io.adapter(...)` changes it. */
  get adapter(): AdapterView {
    return adapterViewOf(this.core);
  }

  /** The core asks for this namespace's object for each new socket. */
  socketFace(socket: CoreSocket): Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    return new Socket(this, socket);
  }

  // Typed listeners: `connection`/`connect` get this face's Socket.
  override on<Ev extends keyof ServerReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    event: Ev,
    listener: ServerReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>[Ev],
  ): this;
  override on(event: string | symbol, listener: (...args: any[]) => void): this;
  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    return super.on(event, listener);
  }

  override once<Ev extends keyof ServerReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    event: Ev,
    listener: ServerReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>[Ev],
  ): this;
  override once(event: string | symbol, listener: (...args: any[]) => void): this;
  override once(event: string | symbol, listener: (...args: any[]) => void): this {
    return super.once(event, listener);
  }

  /** Adds a middleware run for each socket that connects here, in the order added. */
  use(fn: Middleware<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): this {
    if (typeof fn !== 'function') throw new TypeError(`iostate: namespace.use(fn) must be a middleware function (socket, next), got ${typeof fn}`);
    this.core.use((socket, next) => fn(socket.face as Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>, next));
    return this;
  }

  /** A broadcast to the members of `room`. */
  to(room: string | readonly string[]): Operator<EmitEvents, SocketData> {
    return this.operator().to(room);
  }

  in(room: string | readonly string[]): Operator<EmitEvents, SocketData> {
    return this.operator().in(room);
  }

  except(room: string | readonly string[]): Operator<EmitEvents, SocketData> {
    return this.operator().except(room);
  }

  compress(compress: boolean): Operator<EmitEvents, SocketData> {
    return this.operator().compress(compress);
  }

  get volatile(): Operator<EmitEvents, SocketData> {
    return this.operator().volatile;
  }

  get local(): Operator<EmitEvents, SocketData> {
    return this.operator().local;
  }

  timeout(timeout: number): Operator<EmitEvents, SocketData> {
    return this.operator().timeout(timeout);
  }

  /** Emits to every socket of the namespace. */
  override emit<Ev extends EventNames<EmitEvents>>(event: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    return this.operator().emit(event as string, ...args);
  }

  emitWithAck<Ev extends EventNamesWithAck<EmitEvents>>(
    event: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<Array<FirstArg<Last<EventParams<EmitEvents, Ev>>>>> {
    return this.operator().emitWithAck(event as string, ...args) as Promise<Array<FirstArg<Last<EventParams<EmitEvents, Ev>>>>>;
  }

  send(...args: EventParams<EmitEvents, 'message'>): this {
    this.operator().emit('message', ...args);
    return this;
  }

  write(...args: EventParams<EmitEvents, 'message'>): this {
    return this.send(...args);
  }

  /**
   * Sends an event to this namespace's listeners on the other nodes of the
   * cluster (iostate/redis, or socket.io 4 nodes with @socket.io/redis-adapter).
   * With a callback last: `(err, responses)`, one response per other node.
   */
  serverSideEmit<Ev extends EventNames<ServerSideEvents>>(event: Ev, ...args: EventParams<ServerSideEvents, Ev>): boolean {
    if (typeof event === 'string' && SERVER_SIDE_RESERVED.has(event)) throw new Error(`"${event}" is a reserved event name`);
    const data: unknown[] = [event, ...args];
    const ack = typeof data[data.length - 1] === 'function' ? (data.pop() as (err: Error | null, responses: unknown[]) => void) : undefined;
    const cluster = this.core.adapter as Partial<ClusterOperations>;
    if (typeof cluster.serverSideEmit !== 'function' || typeof cluster.serverSideEmitWithAck !== 'function') {
      // A single node has no other node to tell: as socket.io 4's in-memory adapter, say so; an ack gets no responses.
      warnNoServerSideEmit();
      if (ack) process.nextTick(ack, null, []);
      return true;
    }
    if (!ack) cluster.serverSideEmit(data);
    else
      cluster.serverSideEmitWithAck(data).then(
        (responses) => ack(null, responses),
        (err: Error & { responses?: unknown[] }) => ack(err, err.responses ?? []),
      );
    return true;
  }

  /** `serverSideEmit` with acks, as a Promise of the other nodes' responses (rejects on timeout, `err.responses` holding those received). */
  serverSideEmitWithAck<Ev extends EventNamesWithAck<ServerSideEvents>>(event: Ev, ...args: AllButLast<EventParams<ServerSideEvents, Ev>>): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      const ack = (err: (Error & { responses?: unknown[] }) | null, responses: unknown[]) =>
        err ? reject(Object.assign(err, { responses })) : resolve(responses);
      (this.serverSideEmit as (...a: unknown[]) => boolean)(event, ...args, ack);
    });
  }

  /** Ids of every socket of the namespace. */
  allSockets(): Promise<Set<string>> {
    return this.adapter.sockets(new Set());
  }

  /** The sockets of the namespace, of every node with a cluster adapter (a socket of this node is its Socket object). */
  fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    return this.operator().fetchSockets();
  }

  socketsJoin(room: string | readonly string[]): void {
    this.operator().socketsJoin(room);
  }

  socketsLeave(room: string | readonly string[]): void {
    this.operator().socketsLeave(room);
  }

  disconnectSockets(close = false): void {
    this.operator().disconnectSockets(close);
  }

  private operator(): BroadcastOperator<any, SocketData> {
    return new BroadcastOperator(this.core);
  }
}

/** What serverSideEmit may not send: the namespace's own events (socket.io 4's list). */
const SERVER_SIDE_RESERVED: ReadonlySet<string> = new Set(['connect', 'connection', 'new_namespace']);

let warnedNoServerSideEmit = false;

function warnNoServerSideEmit(): void {
  if (warnedNoServerSideEmit) return;
  warnedNoServerSideEmit = true;
  process.emitWarning('iostate: serverSideEmit() needs an adapter of several nodes (iostate/redis); with one node nobody hears it.', {
    type: 'IostateWarning',
    code: 'IOSTATE_NO_CLUSTER',
  });
}

const adapterViews = new WeakMap<object, AdapterView>();

/** One view per core adapter: a replaced adapter (`io.adapter(X)`) gets a new one, as socket.io 4 makes a new adapter. */
function adapterViewOf(nsp: CoreNamespace): AdapterView {
  let view = adapterViews.get(nsp.adapter);
  if (!view) {
    view = new AdapterView(nsp);
    adapterViews.set(nsp.adapter, view);
  }
  return view;
}
