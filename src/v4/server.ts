/**
 * socket.io 4.8's Server, on the iostate core: the same engine, socket and
 * namespace machines, event log, inspector and adapters as the 2.x face
 * (src/actors/server.ts, which this face holds as `core`), with socket.io
 * 4's shapes and options. It owns nothing but those shapes: every socket,
 * namespace and room lives in the core, and every lifecycle step is in
 * the log (`io.log`, `io.inspect()`).
 */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import { Server as CoreServer } from '../actors/server';
import type { Namespace as CoreNamespace } from '../actors/namespace';
import type { NamespaceMatcher } from '../actors/parent-namespace';
import type { AdapterConstructor } from '../adapters/adapter-contract';
import { createClientBundleHandler } from '../static/client-bundle';
import { answerFirst } from '../http/answer-first';
import type { InspectSnapshot, SnapshotOptions } from '../inspect/snapshot';
import type { EventLog } from '../log/event-log';
import type { EngineServer } from '../transport/engine-server';
import type { EngineSocket } from '../transport/engine-socket';
import { Namespace, type Middleware, type ServerReservedEventsMap } from './namespace';
import type { BroadcastOperator } from './broadcast-operator';
import type { Socket } from './socket';
import type { RemoteSocket } from './remote-socket';
import { facesOf, type LiveMap } from './live-map';
import { translateOptions, type ServerOptions } from './options';
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

type Operator<E extends EventsMap, D> = BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<E>, D>;
type Listener = (...args: any[]) => void;

export class Server<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any,
> {
  /** The core server: engine, namespaces, log; the 2.x face's object, which this face wraps. */
  readonly core: CoreServer;
  /** The main namespace, `/`. */
  readonly sockets: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  /** The namespaces by name (socket.io 4's private registry, which tools such as the admin UI read). */
  readonly _nsps: LiveMap<Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>;
  private serveClient$: boolean;
  private readonly options: ServerOptions<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>;

  constructor(
    srv?: http.Server | number | string | ServerOptions<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>,
    opts: ServerOptions<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>> = {},
  ) {
    if (srv && typeof srv === 'object' && typeof (srv as { listen?: unknown }).listen !== 'function') {
      opts = srv as ServerOptions<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>;
      srv = undefined;
    }
    this.options = opts ?? {};
    const { core, engine } = translateOptions(this.options);
    this.serveClient$ = core.serveClient !== false;
    // The core serves socket.io 2's bundle; this face serves socket.io 4's (attachServe).
    this.core = new CoreServer({ ...core, serveClient: false });
    this.core.faceEngineOptions = engine;
    this.core.connectTimeoutClosesConnection = true;
    this.sockets = new Namespace(this, this.core.sockets);
    this._nsps = facesOf(this.core.nsps);
    this.core.onNewNamespace = (nsp) => this.wrapNamespace(nsp);
    if (srv !== undefined && srv !== null) this.attach(srv as http.Server | number | string);
  }

  get engine(): EngineServer {
    return this.core.engine;
  }

  get httpServer(): http.Server | undefined {
    return this.core.httpServer;
  }

  /** The lifecycle event log (see docs/log.md). */
  get log(): EventLog {
    return this.core.log;
  }

  /** A serialisable picture of the server now: namespaces, rooms, sockets, connections (see docs/inspector.md). */
  inspect(options?: SnapshotOptions): InspectSnapshot {
    return this.core.inspect(options);
  }

  serveClient(): boolean;
  serveClient(value: boolean): this;
  serveClient(value?: boolean): this | boolean {
    if (value === undefined) return this.serveClient$;
    this.serveClient$ = value;
    return this;
  }

  path(): string;
  path(value: string): this;
  path(value?: string): this | string {
    if (value === undefined) return this.core.path();
    this.core.path(value);
    return this;
  }

  adapter(): AdapterConstructor;
  adapter(value: AdapterConstructor): this;
  adapter(value?: AdapterConstructor): this | AdapterConstructor {
    if (value === undefined) return this.core.adapter();
    this.core.adapter(value);
    return this;
  }

  connectTimeout(): number {
    return this.core.connectTimeout;
  }

  /** Attaches to an http.Server, or to a new one listening on `port`. */
  attach(srv: http.Server | number | string, opts: ServerOptions<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>> = {}): this {
    if (typeof srv === 'function')
      throw new Error('You are trying to attach socket.io to an express request handler function. Please pass a http.Server instance.');
    // As socket.io 4 merges them: the constructor's options win, attach's add what they did not name.
    const added = Object.fromEntries(Object.entries(opts ?? {}).filter(([key]) => !Object.hasOwn(this.options, key))) as typeof opts;
    const { core, engine } = translateOptions(added, false);
    if (added.serveClient !== undefined) this.serveClient$ = added.serveClient !== false;
    Object.assign(this.core.faceEngineOptions, engine);
    this.core.attach(srv, { ...core, serveClient: false });
    if (this.serveClient$ && this.core.httpServer) answerFirst(this.core.httpServer, createClientBundleHandler(this.core.path(), 'v4'));
    return this;
  }

  listen(srv: http.Server | number | string, opts?: ServerOptions<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>): this {
    return this.attach(srv, opts);
  }

  /** Binds to an Engine.IO server (ours, or one with engine.io's API). */
  bind(engine: EngineServer): this {
    this.core.bind(engine);
    return this;
  }

  onconnection(conn: EngineSocket): this {
    this.core.onconnection(conn);
    return this;
  }

  /** The namespace `name`, created on first use; a RegExp or a function defines dynamic namespaces. */
  of(
    name: string | RegExp | NamespaceMatcher,
    fn?: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void,
  ): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    if (name instanceof RegExp && (name.global || name.sticky)) throw new Error('stateful regular expressions are not supported');
    // A name a RegExp namespace matches is that namespace's child, as in socket.io 4.
    const core = (typeof name === 'string' && this.core.childOfPatternParent(name.startsWith('/') ? name : `/${name}`)) || this.core.of(name);
    const nsp = (core.face as Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> | undefined) ?? new Namespace(this, core);
    if (fn) nsp.on('connect', fn);
    return nsp;
  }

  /** Closes every connection, the engine and the http server; resolves (and calls `fn`) once all are closed. */
  close(fn?: (err?: Error) => void): Promise<void> {
    return new Promise((resolve) => {
      this.core.close((err) => {
        fn?.(err);
        resolve();
      });
    });
  }

  use(fn: Middleware<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): this {
    this.sockets.use(fn);
    return this;
  }

  to(room: string | readonly string[]): Operator<EmitEvents, SocketData> {
    return this.sockets.to(room);
  }

  in(room: string | readonly string[]): Operator<EmitEvents, SocketData> {
    return this.sockets.in(room);
  }

  except(room: string | readonly string[]): Operator<EmitEvents, SocketData> {
    return this.sockets.except(room);
  }

  compress(compress: boolean): Operator<EmitEvents, SocketData> {
    return this.sockets.compress(compress);
  }

  get volatile(): Operator<EmitEvents, SocketData> {
    return this.sockets.volatile;
  }

  get local(): Operator<EmitEvents, SocketData> {
    return this.sockets.local;
  }

  timeout(timeout: number): Operator<EmitEvents, SocketData> {
    return this.sockets.timeout(timeout);
  }

  emit<Ev extends EventNames<EmitEvents>>(event: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    return this.sockets.emit(event, ...args);
  }

  emitWithAck<Ev extends EventNamesWithAck<EmitEvents>>(
    event: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<Array<FirstArg<Last<EventParams<EmitEvents, Ev>>>>> {
    return this.sockets.emitWithAck(event, ...args);
  }

  send(...args: EventParams<EmitEvents, 'message'>): this {
    this.sockets.send(...args);
    return this;
  }

  write(...args: EventParams<EmitEvents, 'message'>): this {
    return this.send(...args);
  }

  serverSideEmit<Ev extends EventNames<ServerSideEvents>>(event: Ev, ...args: EventParams<ServerSideEvents, Ev>): boolean {
    return this.sockets.serverSideEmit(event, ...args);
  }

  serverSideEmitWithAck<Ev extends EventNamesWithAck<ServerSideEvents>>(event: Ev, ...args: AllButLast<EventParams<ServerSideEvents, Ev>>): Promise<unknown[]> {
    return this.sockets.serverSideEmitWithAck(event, ...args);
  }

  allSockets(): Promise<Set<string>> {
    return this.sockets.allSockets();
  }

  fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    return this.sockets.fetchSockets();
  }

  socketsJoin(room: string | readonly string[]): void {
    this.sockets.socketsJoin(room);
  }

  socketsLeave(room: string | readonly string[]): void {
    this.sockets.socketsLeave(room);
  }

  disconnectSockets(close = false): void {
    this.sockets.disconnectSockets(close);
  }

  // The EventEmitter API reaches the main namespace, as in socket.io 4 (`io.on('connection', …)`).
  on<Ev extends keyof ServerReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    event: Ev,
    listener: ServerReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>[Ev],
  ): this;
  on(event: string | symbol, listener: Listener): this;
  on(event: string | symbol, listener: Listener): this {
    this.sockets.on(event, listener);
    return this;
  }

  once<Ev extends keyof ServerReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    event: Ev,
    listener: ServerReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>[Ev],
  ): this;
  once(event: string | symbol, listener: Listener): this;
  once(event: string | symbol, listener: Listener): this {
    this.sockets.once(event, listener);
    return this;
  }

  addListener(event: string | symbol, listener: Listener): this {
    return this.on(event, listener);
  }

  prependListener(event: string | symbol, listener: Listener): this {
    this.sockets.prependListener(event, listener);
    return this;
  }

  prependOnceListener(event: string | symbol, listener: Listener): this {
    this.sockets.prependOnceListener(event, listener);
    return this;
  }

  off(event: string | symbol, listener: Listener): this {
    this.sockets.off(event, listener);
    return this;
  }

  removeListener(event: string | symbol, listener: Listener): this {
    return this.off(event, listener);
  }

  removeAllListeners(event?: string | symbol): this {
    this.sockets.removeAllListeners(event);
    return this;
  }

  listeners(event: string | symbol): Listener[] {
    return this.sockets.listeners(event) as Listener[];
  }

  listenerCount(event: string | symbol): number {
    return this.sockets.listenerCount(event);
  }

  /** A namespace the core created (`io.of(name)`, or a dynamic parent's child): its face, announced as `new_namespace`. */
  private wrapNamespace(core: CoreNamespace): void {
    const nsp = new Namespace(this, core);
    // A dynamic parent's child starts with the parent's connection listeners (its middlewares are the core's).
    const parent = core.origin?.parent.face;
    if (parent) {
      for (const event of ['connect', 'connection']) for (const listener of parent.listeners(event)) nsp.on(event, listener as Listener);
    }
    if (core.name !== '/') this.core.guard(undefined, () => EventEmitter.prototype.emit.call(this.sockets, 'new_namespace', nsp));
  }
}
