/**
 * The Socket.IO server: socket.io 2.x's `Server` API on the iostate engine.
 *
 * It owns the event log (whose projections hold room membership), the
 * namespaces, the packet codec and the Engine.IO server, and routes each new
 * Engine.IO connection to a Client.
 */
import http from 'node:http';
import type { AdapterConstructor } from '../adapters/adapter-contract';
import { RecoveryRegistry } from '../adapters/recovery/registry';
import { resolveRecoveryOptions, type ConnectionStateRecoveryOptions } from '../adapters/recovery/options';
import { Adapter } from '../adapters/memory-adapter';
import { legacyEncoder, type LegacyEncoder } from '../adapters/legacy-adapter';
import { codecFromParser, defaultCodec, type PacketCodec } from '../parser';
import { EngineServer, type AttachOptions, type EngineOptions } from '../transport/engine-server';
import type { EngineSocket } from '../transport/engine-socket';
import { appErrorFacts } from '../log/app-error';
import { fitString } from '../log/bound';
import type { EventLog } from '../log/event-log';
import { createEventLog, type EventLogOption } from '../log/options';
import { createClientBundleHandler } from '../static/client-bundle';
import { buildSnapshot, type InspectSnapshot, type SnapshotOptions } from '../inspect/snapshot';
import { attachInspector } from '../inspect/attach';
import type { InspectorHandler, InspectorOptions } from '../inspect/http-endpoint';
import { Client } from './client';
import { Namespace, type NamespaceMiddleware } from './namespace';
import { namespaceNamed } from './namespace-named';
import { ParentNamespace, type NamespaceMatcher } from './parent-namespace';
import type { Handshake, Socket } from './socket';
import { catchRejection, toError } from './errors';
import type { RoomNames } from './emit-modifiers';
import { applyLegacySetting } from './legacy-settings';
import { engineSettings } from './engine-settings';
import { answerFirst } from '../http/answer-first';
import { checkServerOption, checkServerOptions, middlewareRule, namespaceNameRule, type CheckedServerOption } from './server-options';
import { checkOption } from '../transport/option-rules';

export type Origins = string | string[] | ((origin: string, callback: (error: string | null, success: boolean) => void) => void);

export interface ServerOptions extends Omit<EngineOptions, 'recorder' | 'cors' | 'allowEIO3'>, Omit<AttachOptions, 'path'> {
  path?: string;
  serveClient?: boolean;
  adapter?: AdapterConstructor;
  origins?: Origins;
  parser?: { Encoder: unknown; Decoder: unknown };
  /** How long a 4.x client may take to connect to a namespace, and a socket to pass middlewares (ms). */
  connectTimeout?: number;
  /** The lifecycle event log: `false` turns retention off, `{ file }` adds a JSONL file, `{ label }` names each socket. */
  eventLog?: EventLogOption<Handshake, Socket>;
  /** The inspector HTTP endpoint, off unless given: `{ path?: '/iostate', auth: (req) => boolean | Promise<boolean> }`. */
  inspector?: InspectorOptions;
  /** Frees a dynamic namespace's child once its last socket has left (socket.io 4.6). Default false. */
  cleanupEmptyChildNamespaces?: boolean;
  /**
   * socket.io 4.6's connection state recovery, for 4.x clients (docs/recovery.md):
   * `{ maxDisconnectionDuration?, skipMiddlewares?, maxPackets?, maxBytes? }`. Off unless given.
   */
  connectionStateRecovery?: ConnectionStateRecoveryOptions;
  /** socket.io 4.6; the path matches with and without a trailing slash either way. */
  addTrailingSlash?: boolean;
}

/** Every option declared above has a rule or is checked elsewhere (server-options.ts): a new one cannot be missed there. */
const everyOptionChecked: Record<Exclude<keyof ServerOptions, CheckedServerOption>, never> = {};
void everyOptionChecked;

export class Server {
  /** The namespaces by name, an object as in socket.io 2.x (`io.nsps['/chat']`); read it with `namespaceNamed`. */
  readonly nsps: Record<string, Namespace> = {};
  /** The Socket.IO client of each open connection on this node, by connection id (how the inspector finds sockets still in middleware). */
  readonly openClients = new Map<string, Client>();
  private readonly parents: ParentNamespace[] = [];
  readonly sockets: Namespace;
  readonly log: EventLog;
  readonly codec: PacketCodec;
  /** socket.io 2's `server.encoder`, which adapters written for it (socket.io-adapter 1.x) encode broadcasts with. */
  readonly encoder: LegacyEncoder;
  readonly connectTimeout: number;
  /** Delete a dynamic parent's child once its last socket has left (socket.io 4.6's option). */
  readonly cleanupEmptyChildNamespaces: boolean;
  /** Connection state recovery's sessions, when the option is on. */
  readonly recovery: RecoveryRegistry | undefined;
  engine!: EngineServer;
  inspector: InspectorHandler | undefined;
  httpServer: http.Server | undefined;
  adapterConstructor: AdapterConstructor = Adapter;
  /** Called with each namespace the server creates, static or a dynamic parent's child (a face wraps it here). */
  onNewNamespace: ((nsp: Namespace) => void) | undefined;
  /**
   * What `connectTimeout` ends. False (the 2.x face): a 4.x client's socket
   * whose middlewares did not answer in time is refused ('connect timeout'),
   * and a connection that asked for no namespace is closed. True (iostate/v4,
   * as socket.io 4.8): a connection with no namespace connected in time is
   * closed, whatever its sockets' middlewares are doing, and a socket waits
   * for its middlewares as long as they take.
   */
  connectTimeoutClosesConnection = false;
  /** Engine settings a face decides and checks itself (iostate/v4: engine.io 4+'s `cors` and `allowEIO3`). */
  faceEngineOptions: Pick<EngineOptions, 'cors' | 'allowEIO3'> = {};
  private path$ = '/socket.io';
  private serveClient$ = true;
  private origins$: Origins = '*:*';
  private options: ServerOptions;
  private startRecorded = false;

  constructor(srv?: http.Server | number | string | ServerOptions, opts: ServerOptions = {}) {
    if (srv && typeof srv === 'object' && !(srv instanceof http.Server) && typeof (srv as { listen?: unknown }).listen !== 'function') {
      opts = srv as ServerOptions;
      srv = undefined;
    }
    if (srv !== undefined && srv !== null) checkAttachable('new Server(srv)', 'an http.Server, a port number or an options object', srv);
    checkServerOptions(opts);
    opts ??= {};
    this.options = opts;
    this.log = createEventLog(opts.eventLog);
    this.codec = opts.parser ? codecFromParser(opts.parser) : defaultCodec;
    this.encoder = legacyEncoder(this.codec);
    this.connectTimeout = opts.connectTimeout ?? 45_000;
    this.cleanupEmptyChildNamespaces = opts.cleanupEmptyChildNamespaces === true;
    this.recovery = opts.connectionStateRecovery ? new RecoveryRegistry(resolveRecoveryOptions(opts.connectionStateRecovery)) : undefined;
    this.path(opts.path ?? '/socket.io');
    this.serveClient(opts.serveClient !== false);
    if (opts.adapter) this.adapterConstructor = opts.adapter;
    this.origins(opts.origins ?? '*:*');
    this.sockets = this.of('/');
    if (srv !== undefined && srv !== null) this.attach(srv as http.Server | number, opts);
  }

  serveClient(): boolean;
  serveClient(value: boolean): this;
  serveClient(value?: boolean): this | boolean {
    if (value === undefined) return this.serveClient$;
    checkServerOption('io.serveClient(value)', 'serveClient', value);
    this.serveClient$ = value;
    return this;
  }

  path(): string;
  path(value: string): this;
  path(value?: string): this | string {
    if (value === undefined) return this.path$;
    checkServerOption('io.path(value)', 'path', value);
    this.path$ = value.replace(/\/$/, '');
    return this;
  }

  adapter(): AdapterConstructor;
  adapter(value: AdapterConstructor): this;
  adapter(value?: AdapterConstructor): this | AdapterConstructor {
    if (value === undefined) return this.adapterConstructor;
    checkServerOption('io.adapter(value)', 'adapter', value);
    this.adapterConstructor = value;
    for (const nsp of Object.values(this.nsps)) nsp.initAdapter();
    return this;
  }

  origins(): Origins;
  origins(value: Origins): this;
  origins(value?: Origins): this | Origins {
    if (value === undefined) return this.origins$;
    checkServerOption('io.origins(value)', 'origins', value);
    this.origins$ = value;
    if (this.engine) this.engine.origins = value;
    return this;
  }

  /**
   * socket.io 0.9's settings, which socket.io 2.x still takes (deprecated):
   * `transports`, `heartbeat timeout`, `heartbeat interval`, `destroy buffer
   * size`, `authorization`, `resource`, `origins`, `log level` (see legacy-settings.ts).
   */
  set(key: string, value: unknown): this {
    const option = applyLegacySetting(this, key, value);
    if (option) this.options = Object.assign({}, this.options, option);
    return this;
  }

  /** Attaches to an http.Server, or to a new one listening on `port`. */
  attach(srv: http.Server | number | string, opts: ServerOptions = {}): this {
    checkAttachable('io.attach(srv)', 'an http.Server or a port number', srv);
    checkServerOptions(opts);
    opts ??= {};
    if (typeof srv === 'number' || typeof srv === 'string') {
      const port = Number(srv);
      srv = http.createServer((_req, res) => {
        res.writeHead(404);
        res.end();
      });
      srv.listen(port);
    }
    if (opts.path !== undefined) this.path(opts.path);
    const options: ServerOptions & EngineOptions = {
      ...this.options,
      ...opts,
      ...this.faceEngineOptions,
      path: this.path$,
      origins: this.origins$,
      recorder: this.log,
    };
    const engine = new EngineServer(options);
    // As socket.io 2.x hands its options to engine.attach: the attach-time ones count too.
    const { destroyUpgrade, destroyUpgradeTimeout, handlePreflightRequest } = options;
    engine.attach(srv, { path: this.path$, destroyUpgrade, destroyUpgradeTimeout, handlePreflightRequest });
    if (this.serveClient$) this.attachServe(srv);
    const inspectorOptions = opts.inspector ?? this.options.inspector;
    if (inspectorOptions) this.inspector = attachInspector(this, srv, inspectorOptions);
    this.httpServer = srv;
    this.bind(engine);
    return this;
  }

  listen(srv: http.Server | number | string, opts?: ServerOptions): this {
    return this.attach(srv, opts);
  }

  /** Binds to an Engine.IO server (ours, or one with engine.io's API). */
  bind(engine: EngineServer): this {
    this.engine = engine;
    // How soon the engine notices a dead transport: a packet older than that reached a socket still connected.
    const { pingInterval, pingTimeout } = engineSettings(engine);
    if (this.recovery && typeof pingInterval === 'number' && typeof pingTimeout === 'number') this.recovery.settledMs = pingInterval + pingTimeout;
    engine.on('connection', (conn: EngineSocket) => this.onconnection(conn));
    this.recordStart(engine);
    return this;
  }

  /** Creates a Socket.IO client for an incoming Engine.IO connection. */
  onconnection(conn: EngineSocket): this {
    new Client(this, conn);
    return this;
  }

  /** The namespace `name`, created on first use; a RegExp or function defines dynamic namespaces. */
  of(name: string | RegExp | NamespaceMatcher, fn?: (socket: Socket) => void): Namespace {
    checkOption('io.of(name)', namespaceNameRule, name);
    if (typeof name === 'function' || name instanceof RegExp) {
      const matcher: NamespaceMatcher = typeof name === 'function' ? name : (candidate, _query, next) => next(null, (name as RegExp).test(candidate));
      const parent = new ParentNamespace(this, matcher, String(name), name instanceof RegExp ? name : undefined);
      this.parents.push(parent);
      if (fn) parent.on('connect', fn);
      return parent;
    }
    const nspName = name.startsWith('/') ? name : `/${name}`;
    let nsp = namespaceNamed(this.nsps, nspName);
    if (!nsp) {
      nsp = new Namespace(this, nspName);
      this.nsps[nspName] = nsp;
      this.onNewNamespace?.(nsp);
    }
    if (fn) nsp.on('connect', fn);
    return nsp;
  }

  /**
   * socket.io 4's `io.of(name)` for a name that a RegExp parent matches and
   * no namespace has yet: that parent's child, with its middlewares and
   * listeners (the v4 face asks; the 2.x face makes a plain namespace, as
   * socket.io 2 did). Undefined when no RegExp parent matches.
   */
  childOfPatternParent(name: string): Namespace | undefined {
    const existing = namespaceNamed(this.nsps, name);
    if (existing) return existing;
    const parent = this.parents.find((each) => each.pattern?.test(name));
    if (!parent) return undefined;
    const child = parent.createChild(name);
    this.nsps[name] = child;
    this.onNewNamespace?.(child);
    return child;
  }

  /**
   * Asks the dynamic parents, in the order they were defined, whether `name`
   * may exist; the first that accepts creates it.
   */
  checkDynamicNamespace(
    name: string,
    /** The session asking: the log counts the namespace it creates in that connection's share. */
    sid: string,
    payload: { query?: string; auth?: Record<string, unknown> },
    done: (nsp: Namespace | undefined) => void,
  ): void {
    const query = payload.auth ?? Object.fromEntries(new URLSearchParams(payload.query ?? ''));
    const ask = (index: number): void => {
      const parent = this.parents[index];
      if (!parent) return done(undefined);
      let answered = false;
      const next = (err: Error | null, allow: boolean) => {
        if (answered) return;
        answered = true;
        if (err || !allow) return ask(index + 1);
        const existing = namespaceNamed(this.nsps, name);
        if (existing) return done(existing);
        const child = parent.createChild(name, sid);
        this.nsps[name] = child;
        this.onNewNamespace?.(child);
        done(child);
      };
      const fail = (err: unknown) => {
        this.reportAppError(err);
        next(toError(err), false);
      };
      try {
        catchRejection(parent.matcher(name, query, next), fail);
      } catch (err) {
        fail(err);
      }
    };
    ask(0);
  }

  /** A serialisable picture of the server now: namespaces, rooms, sockets, connections, recent closes. */
  inspect(options?: SnapshotOptions): InspectSnapshot {
    return buildSnapshot(this, options);
  }

  /** Closes every connection, the engine and the http server; `fn` runs once all are closed. */
  close(fn?: (err?: Error) => void): void {
    for (const nsp of Object.values(this.nsps)) nsp.close();
    this.engine?.close();
    this.inspector?.close();
    this.log.record({ type: 'server.close' });
    void this.log.close();
    if (this.httpServer) this.httpServer.close(fn);
    else if (fn) process.nextTick(fn);
  }

  // The main namespace's API, reachable on the server (as socket.io 2.x does).
  on(event: 'connection' | 'connect', listener: (socket: Socket) => void): this;
  on(event: string, listener: (...args: any[]) => void): this;
  on(event: string, listener: (...args: any[]) => void): this {
    this.sockets.on(event, listener);
    return this;
  }

  once(event: 'connection' | 'connect', listener: (socket: Socket) => void): this;
  once(event: string, listener: (...args: any[]) => void): this;
  once(event: string, listener: (...args: any[]) => void): this {
    this.sockets.once(event, listener);
    return this;
  }

  off(event: string, listener: (...args: any[]) => void): this {
    this.sockets.off(event, listener);
    return this;
  }

  removeListener(event: string, listener: (...args: any[]) => void): this {
    return this.off(event, listener);
  }

  emit(event: string, ...args: unknown[]): boolean {
    return this.sockets.emit(event, ...args);
  }

  // The modifiers (emit-modifiers.ts) are `/`'s: those taking an argument return `/`, the flags the Server, as socket.io 2.x.
  to(room: RoomNames): Namespace {
    return this.sockets.to(room);
  }

  in(room: RoomNames): Namespace {
    return this.sockets.in(room);
  }

  except(room: RoomNames): Namespace {
    return this.sockets.except(room);
  }

  use(fn: NamespaceMiddleware): this {
    checkOption('io.use(fn)', middlewareRule, fn);
    this.sockets.use(fn);
    return this;
  }

  send(...args: unknown[]): Namespace {
    return this.sockets.send(...args);
  }

  write(...args: unknown[]): Namespace {
    return this.sockets.write(...args);
  }

  clients(fn: (err: Error | null, clients: string[]) => void): Namespace {
    return this.sockets.clients(fn);
  }

  compress(value: boolean): Namespace {
    return this.sockets.compress(value);
  }

  binary(value: boolean): Namespace {
    return this.sockets.binary(value);
  }

  get volatile(): this {
    void this.sockets.volatile;
    return this;
  }

  get local(): this {
    void this.sockets.local;
    return this;
  }

  get json(): this {
    void this.sockets.json;
    return this;
  }

  /**
   * Runs application code for `socket`: a handler that throws, or returns a
   * promise that rejects, is reported (log and the socket's `error`
   * listeners) and the server carries on.
   */
  guard(socket: Socket | undefined, fn: () => unknown): void {
    try {
      catchRejection(fn(), (err) => this.reportAppError(err, socket));
    } catch (err) {
      this.reportAppError(err, socket);
    }
  }

  /** `toListeners: false` for an error of an `error` listener itself: it is only logged, never fed back to it. */
  reportAppError(err: unknown, socket?: Socket, toListeners = true): void {
    const error = toError(err);
    this.log.record({
      type: 'app.error',
      ...appErrorFacts(err),
      ...(socket ? { socketId: socket.id, nsp: socket.nsp.name } : {}),
    });
    if (toListeners && socket && socket.events.listenerCount('error') > 0) {
      try {
        socket.emitReserved('error', error);
        return;
      } catch (listenerError) {
        // An error listener that throws too is reported, but not to itself.
        this.reportAppError(listenerError, socket, false);
      }
    }
    console.error('iostate: an application handler threw; the server carries on.', error);
  }

  /** A client sent bytes that are not a valid Socket.IO packet: recorded, then its connection is closed. */
  reportProtocolError(client: Client, message: string): void {
    // The message may quote the client (a placeholder's `num`, a custom parser's words): cut as the log would, so that
    // the session's errors read the same live and in replay.
    this.log.record({ type: 'conn.error', sid: client.id, transport: client.conn.transport.name, message: fitString(message) });
  }

  /**
   * The effective settings, so that a replay can name the limits each
   * connection ran under. Once in the server's life, by whichever of
   * `bind` and `attach` comes first: a second start in the log would read
   * as a restart that lost every connection.
   */
  private recordStart(engine: EngineServer): void {
    if (this.startRecorded) return;
    this.startRecorded = true;
    const settings = engineSettings(engine);
    const { pingTimeout, pingInterval, upgradeTimeout, maxHttpBufferSize, transports, allowUpgrades, cookie } = settings;
    this.log.record({
      type: 'server.start',
      path: this.path$,
      settings: {
        pingTimeout,
        pingInterval,
        upgradeTimeout,
        maxHttpBufferSize,
        transports,
        allowUpgrades,
        cookie,
        perMessageDeflate: settings.perMessageDeflate === undefined ? undefined : settings.perMessageDeflate !== false,
        httpCompression: settings.httpCompression === undefined ? undefined : settings.httpCompression !== false,
        connectTimeout: this.connectTimeout,
      },
    });
  }

  private attachServe(srv: http.Server): void {
    const serve = createClientBundleHandler(this.path$);
    answerFirst(srv, serve);
  }
}

/** What `new Server(srv)` and `attach(srv)` take: an http.Server (or anything that listens), a port, or a port as a string. */
function checkAttachable(where: string, expected: string, srv: unknown): void {
  if (typeof srv === 'number' && Number.isInteger(srv) && srv >= 0 && srv < 65536) return;
  if (typeof srv === 'string' && /^\d{1,5}$/.test(srv) && Number(srv) < 65536) return;
  if (typeof srv === 'object' && srv !== null && typeof (srv as { listen?: unknown }).listen === 'function') return;
  throw new TypeError(`iostate: ${where} must be ${expected}, got ${typeof srv === 'number' ? srv : typeof srv}`);
}
