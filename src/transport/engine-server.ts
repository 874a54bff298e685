/**
 * The Engine.IO server, with engine.io's public Server API: protocols v3 and
 * v4 on one path (chosen per request by `EIO`), long-polling and WebSocket,
 * upgrades, origins/CORS, cookies, compression and size limits.
 *
 * Requests: every request under the path is verified (transport, protocol,
 * origin, sid, handshake method, allowRequest), then either starts a session
 * (handshake) or is handed to the session's transport. Failures answer with
 * engine.io's error codes and emit `connection_error`.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { answerFirst } from '../http/answer-first';
import { appErrorFacts } from '../log/app-error';
import { resolveEngineOptions, sessionCookie, type EngineOptions, type HttpMiddleware, type ResolvedEngineOptions } from './engine-options';
import { runHttpMiddlewares, UpgradeResponse, upgradeHeaderLines } from './http-middlewares';
import { EngineSocket, type EngineSocketHost } from './engine-socket';
import { EngineErrorCode, refusal, writeHttpError, writeUpgradeError, type EngineRefusal } from './errors';
import { checkOrigin, corsHeaders, hasInvalidHeaderChar, type OriginsOption } from './origins';
import { PollingTransport, type PollingSettings } from './polling';
import { parseQuery, pathnameOf, type EngineParameter, type EngineQuery, type RequestWithQuery } from './query';
import { randomId } from './random-id';
import type { TransportName, TransportSink } from './transport';
import { WebSocketTransport } from './websocket';

export type { EngineOptions } from './engine-options';

export interface AttachOptions {
  /** Default '/engine.io'; socket.io passes '/socket.io'. */
  path?: string;
  /** Destroy upgrade requests outside our path that nobody handled. Default true. */
  destroyUpgrade?: boolean;
  /** How long others may take to handle such an upgrade before it is destroyed. Default 1000 ms. */
  destroyUpgradeTimeout?: number;
  /**
   * CORS preflight (OPTIONS) requests under the path, as engine.io 3 does:
   * a function answers them itself (called with the http server as `this`),
   * `false` leaves them to the server's other listeners. Default: the engine
   * answers, allowing the Content-Type header.
   */
  handlePreflightRequest?: boolean | PreflightHandler;
}

export type PreflightHandler = (this: HttpServer, req: IncomingMessage, res: ServerResponse) => void;

export interface ConnectionError {
  req: IncomingMessage;
  code: number;
  message: string;
  context: Record<string, unknown>;
}

interface VerifiedRequest {
  query: EngineQuery;
  protocol: 3 | 4;
  transport: TransportName;
}

const kHandshakeSid = Symbol('iostate.handshakeSid');
const placeholderSink: TransportSink = { onPacket() {}, onParseError() {}, onError() {}, onClose() {}, onDrain() {} };

export class EngineServer extends EventEmitter implements EngineSocketHost {
  readonly settings: ResolvedEngineOptions;
  /** Mutable: socket.io's `Server#origins(v)` replaces it. */
  origins: OriginsOption;
  clients: Record<string, EngineSocket> = Object.create(null);
  clientsCount = 0;
  /** Replaceable: `engine.generateId = (req) => ...`. */
  generateId: (req: IncomingMessage) => string = randomId;
  private wss: WebSocketServer | undefined;
  private readonly pollingSettings: PollingSettings;
  /** engine.io 4+'s middlewares (`use`), `cors` first when given. */
  private readonly middlewares: HttpMiddleware[] = [];

  constructor(options: EngineOptions = {}) {
    super();
    this.settings = resolveEngineOptions(options);
    this.origins = options.origins ?? '*:*';
    if (this.settings.cors) this.middlewares.push(this.settings.cors);
    const settings = this.settings;
    this.pollingSettings = {
      // Read live: socket.io 2.x's `set('destroy buffer size')` changes it on a running engine.
      get maxHttpBufferSize() {
        return settings.maxHttpBufferSize;
      },
      httpCompression: this.settings.httpCompression,
      headers: (req) => this.responseHeaders(req),
    };
  }

  get transports(): TransportName[] {
    return this.settings.transports;
  }

  /** Serves the engine on `server` under `path`; everything else stays with the server's other listeners. */
  attach(server: HttpServer, options: AttachOptions = {}): void {
    const prefix = `${(options.path ?? '/engine.io').replace(/\/$/, '')}/`;
    const ours = (req: IncomingMessage) => {
      const pathname = pathnameOf(req.url);
      return pathname === prefix.slice(0, -1) || pathname.startsWith(prefix);
    };
    server.on('close', () => this.close());
    const preflight = options.handlePreflightRequest;
    answerFirst(server, (req, res) => {
      const isPreflight = req.method === 'OPTIONS';
      if (!ours(req) || (isPreflight && preflight === false)) return false;
      if (isPreflight && typeof preflight === 'function') this.answerPreflight(preflight, server, req, res);
      else this.handleRequest(req, res);
      return true;
    });
    const destroyUpgrade = options.destroyUpgrade !== false;
    const destroyUpgradeTimeout = options.destroyUpgradeTimeout ?? 1000;
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (ours(req)) return this.handleUpgrade(req, socket, head);
      if (!destroyUpgrade) return;
      // Give the application's own upgrade listeners a chance, then drop what nobody answered.
      setTimeout(() => {
        const s = socket as Duplex & { bytesWritten?: number };
        if (s.writable && !s.bytesWritten) s.destroy();
      }, destroyUpgradeTimeout).unref();
    });
  }

  /**
   * The headers of a polling response: the 2.x face's CORS headers (none
   * under engine.io 4+'s CORS), then what `initial_headers` (the handshake)
   * and `headers` (every response) listeners add, as engine.io emits them.
   * A value a listener sets that Node would refuse to write is dropped.
   */
  private responseHeaders(req: IncomingMessage): Record<string, string | string[]> {
    const headers: Record<string, string | string[]> = this.settings.cors === undefined ? corsHeaders(req) : {};
    if (this.listenerCount('headers') + this.listenerCount('initial_headers') === 0) return headers;
    if ((req as Partial<RequestWithQuery>)._query?.sid === undefined) this.emit('initial_headers', headers, req);
    this.emit('headers', headers, req);
    return validHeaders(headers);
  }

  /**
   * engine.io 4+'s `engine.use(fn)`: a connect-style middleware run on every
   * request under the path, the upgrade included, before it is verified
   * (http-middlewares.ts); a failure answers 400 MIDDLEWARE_FAILURE.
   */
  use(middleware: HttpMiddleware): this {
    if (typeof middleware !== 'function') throw new TypeError('iostate: engine.use(fn) takes a middleware function (req, res, next)');
    this.middlewares.push(middleware);
    return this;
  }

  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.middlewares.length === 0) return this.routeSafely(req, res);
    runHttpMiddlewares(this.middlewares, req, res, (err) => {
      if (err) return this.refuse(req, res, refusal(EngineErrorCode.BAD_REQUEST, { name: 'MIDDLEWARE_FAILURE' }));
      this.routeSafely(req, res);
    });
  }

  private routeSafely(req: IncomingMessage, res: ServerResponse): void {
    try {
      this.route(req, res);
    } catch (error) {
      this.refuse(req, res, refusal(EngineErrorCode.BAD_REQUEST, { error: messageOf(error) }));
    }
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const query = parseQuery(req);
    // With engine.io 4+'s CORS (cors set, even to null), preflights are the middleware's, or bad handshakes.
    if (req.method === 'OPTIONS' && this.settings.cors === undefined) return this.preflight(req, res);
    this.verify(req, query, false, (error, verified) => {
      if (error || !verified) return this.refuse(req, res, error ?? refusal(EngineErrorCode.BAD_REQUEST));
      if (query.sid) {
        const transport = this.clients[query.sid]?.transport;
        if (!(transport instanceof PollingTransport)) return this.refuse(req, res, refusal(EngineErrorCode.BAD_REQUEST, { name: 'TRANSPORT_MISMATCH' }));
        transport.onRequest(req, res);
        return;
      }
      this.handshakePolling(req, res, verified);
    });
  }

  /** The application's preflight handler; if it throws, the request gets a 500, the error is recorded, and the server goes on. */
  private answerPreflight(handler: PreflightHandler, server: HttpServer, req: IncomingMessage, res: ServerResponse): void {
    try {
      handler.call(server, req, res);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'Content-Length': '0' });
      res.end();
      this.settings.recorder.record({ type: 'app.error', ...appErrorFacts(error) });
      console.error('iostate: handlePreflightRequest threw; the server carries on.', error);
    }
  }

  /** CORS preflight: allowed origins get the CORS headers and Content-Type as an allowed header. */
  private preflight(req: IncomingMessage, res: ServerResponse): void {
    checkOrigin(this.origins, req, (ok, reason) => {
      if (!ok) return this.refuse(req, res, originRefusal(req, reason));
      res.writeHead(200, {
        ...corsHeaders(req),
        'Access-Control-Allow-Headers': 'Content-Type',
        'Access-Control-Allow-Methods': 'GET, POST',
        'Content-Length': '0',
      });
      res.end();
    });
  }

  private refuse(req: IncomingMessage, res: ServerResponse, error: EngineRefusal): void {
    const headers = error.code === EngineErrorCode.FORBIDDEN || this.settings.cors !== undefined ? {} : corsHeaders(req);
    writeHttpError(res, error, headers);
    this.emitConnectionError(req, error);
  }

  private emitConnectionError(req: IncomingMessage, error: EngineRefusal): void {
    if (this.listenerCount('connection_error') === 0) return;
    const event: ConnectionError = { req, code: error.code, message: error.message, context: error.context ?? {} };
    this.emit('connection_error', event);
  }

  /** engine.io's checks, in its order; then origins and allowRequest for handshakes. */
  private verify(req: IncomingMessage, query: EngineQuery, upgrade: boolean, done: (error: EngineRefusal | null, verified?: VerifiedRequest) => void): void {
    // An ambiguous query never reaches a session; the codes are the ones engine.io's checks give such a value.
    if (query.repeated) return done(refusal(repeatedParameterCodes[query.repeated], { name: 'REPEATED_PARAMETER', parameter: query.repeated }));
    const transport = query.transport as TransportName;
    if (!this.settings.transports.includes(transport)) return done(refusal(EngineErrorCode.UNKNOWN_TRANSPORT, { transport: query.transport }));
    if ((transport === 'websocket') !== upgrade) return done(refusal(EngineErrorCode.BAD_REQUEST, { name: 'TRANSPORT_HANDSHAKE_ERROR', transport }));
    if (hasInvalidHeaderChar(req.headers.origin)) return done(refusal(EngineErrorCode.BAD_REQUEST, { name: 'INVALID_ORIGIN' }));
    // No EIO is protocol 3, as engine.io 3 (which reads no EIO) and engine.io 6 serve it.
    const protocol = query.EIO === '4' ? 4 : query.EIO === '3' || query.EIO === undefined ? 3 : undefined;
    if (!protocol) return done(refusal(EngineErrorCode.UNSUPPORTED_PROTOCOL_VERSION, { protocol: query.EIO }));
    if (protocol === 3 && !this.settings.allowEIO3) return done(refusal(EngineErrorCode.UNSUPPORTED_PROTOCOL_VERSION, { protocol: query.EIO ?? '3' }));
    const verified: VerifiedRequest = { query, protocol, transport };
    if (query.sid) {
      const socket = this.clients[query.sid];
      if (!socket) return done(refusal(EngineErrorCode.UNKNOWN_SID, { sid: query.sid }));
      // Answered like an unknown sid: whoever does not own the session learns nothing about it.
      if (!this.fromSessionAddress(socket, req)) return done(refusal(EngineErrorCode.UNKNOWN_SID, { sid: query.sid, name: 'SESSION_ADDRESS_MISMATCH' }));
      if (socket.protocol !== protocol) return done(refusal(EngineErrorCode.BAD_REQUEST, { name: 'PROTOCOL_MISMATCH' }));
      if (!upgrade && socket.transport.name !== transport) return done(refusal(EngineErrorCode.BAD_REQUEST, { name: 'TRANSPORT_MISMATCH' }));
      if (!upgrade) return done(null, verified);
      // An upgrade must come from an origin we would accept for a handshake.
      return checkOrigin(this.origins, req, (ok, reason) => (ok ? done(null, verified) : done(originRefusal(req, reason))));
    }
    if (req.method !== 'GET') return done(refusal(EngineErrorCode.BAD_HANDSHAKE_METHOD, { method: req.method }));
    checkOrigin(this.origins, req, (ok, reason) => {
      if (!ok) return done(originRefusal(req, reason));
      const allowRequest = this.settings.allowRequest;
      if (!allowRequest) return done(null, verified);
      let answered = false;
      const answer = (err: string | number | null | undefined, success: boolean) => {
        if (answered) return;
        answered = true;
        if (success) return done(null, verified);
        if (typeof err === 'number' && err in refusalCodes) return done(refusal(err as EngineErrorCode));
        done(refusal(EngineErrorCode.FORBIDDEN, {}, typeof err === 'string' && err ? err : undefined));
      };
      try {
        allowRequest(req, answer);
      } catch (error) {
        answer(messageOf(error), false);
      }
    });
  }

  /** With `bindSessionToAddress`: does `req` come from the address that opened the session? */
  private fromSessionAddress(socket: EngineSocket, req: IncomingMessage): boolean {
    const addressOf = this.settings.sessionAddress;
    if (!addressOf) return true;
    try {
      return addressOf(req) === addressOf(socket.request);
    } catch {
      return false;
    }
  }

  private newId(req: IncomingMessage): string | EngineRefusal {
    try {
      const id = this.generateId(req);
      if (typeof id !== 'string' || id === '' || this.clients[id]) return refusal(EngineErrorCode.BAD_REQUEST, { name: 'ID_GENERATION_ERROR' });
      return id;
    } catch (error) {
      return refusal(EngineErrorCode.BAD_REQUEST, { name: 'ID_GENERATION_ERROR', error: messageOf(error) });
    }
  }

  private handshakePolling(req: IncomingMessage, res: ServerResponse, verified: VerifiedRequest): void {
    const id = this.newId(req);
    if (typeof id !== 'string') return this.refuse(req, res, id);
    const jsonp = verified.query.j !== undefined ? verified.query.j.replace(/[^0-9]/g, '') : undefined;
    const supportsBinary = !verified.query.b64 && jsonp === undefined;
    const transport = new PollingTransport(placeholderSink, verified.protocol, supportsBinary, jsonp, this.pollingSettings);
    const socket = this.register(id, verified.protocol, transport, req);
    const cookie = sessionCookie(this.settings, id);
    transport.onRequest(req, res, cookie ? { 'Set-Cookie': cookie } : undefined);
    this.emit('connection', socket);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node drops its own error listener from upgraded sockets; until ws takes over, an error must not go unhandled.
    const onEarlyError = () => socket.destroy();
    socket.on('error', onEarlyError);
    if (this.middlewares.length === 0) return this.upgrade(req, socket, head, onEarlyError);
    runHttpMiddlewares(this.middlewares, req, new UpgradeResponse(req, socket) as unknown as ServerResponse, (err) => {
      if (socket.destroyed) return;
      if (!err) return this.upgrade(req, socket, head, onEarlyError);
      const error = refusal(EngineErrorCode.BAD_REQUEST, { name: 'MIDDLEWARE_FAILURE' });
      writeUpgradeError(socket, error);
      this.emitConnectionError(req, error);
    });
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, onEarlyError: () => void): void {
    try {
      const query = parseQuery(req);
      this.verify(req, query, true, (error, verified) => {
        if (error || !verified) {
          writeUpgradeError(socket, error ?? refusal(EngineErrorCode.BAD_REQUEST));
          if (error) this.emitConnectionError(req, error);
          return;
        }
        const client = query.sid ? this.clients[query.sid] : undefined;
        if (query.sid && !client) {
          const error = refusal(EngineErrorCode.UNKNOWN_SID, { sid: query.sid });
          writeUpgradeError(socket, error);
          return this.emitConnectionError(req, error);
        }
        // A session that cannot take this WebSocket (already upgraded or upgrading, upgrades off) turns it
        // away as engine.io does: accepted, then closed, the session untouched (reported to connection_error).
        if (client && !this.mayUpgrade(client))
          this.emitConnectionError(req, refusal(EngineErrorCode.BAD_REQUEST, { name: 'UPGRADE_NOT_POSSIBLE', sid: query.sid }));
        let id: string | undefined;
        if (!client) {
          const generated = this.newId(req);
          if (typeof generated !== 'string') {
            writeUpgradeError(socket, generated);
            return this.emitConnectionError(req, generated);
          }
          id = generated;
          (req as IncomingMessage & { [kHandshakeSid]?: string })[kHandshakeSid] = id;
        }
        socket.off('error', onEarlyError);
        // A new session's 101 response and its open packet leave in one write:
        // the socket stays corked until the open packet is flushed (next tick).
        if (!client) socket.cork();
        this.webSocketServer().handleUpgrade(req, socket, head, (ws: WebSocket) => {
          const supportsBinary = !query.b64;
          if (client) return this.mayUpgrade(client) ? client.startUpgrade(ws, supportsBinary) : turnAway(ws);
          if (!this.clients[id!]) this.handshakeWebSocket(id!, ws, req, verified, supportsBinary);
          else turnAway(ws);
          process.nextTick(uncork, socket); // queued after the flush the open packet scheduled
        });
      });
    } catch (error) {
      writeUpgradeError(socket, refusal(EngineErrorCode.BAD_REQUEST, { error: messageOf(error) }));
    }
  }

  private handshakeWebSocket(id: string, ws: WebSocket, req: IncomingMessage, verified: VerifiedRequest, supportsBinary: boolean): void {
    const deflate = this.settings.perMessageDeflate;
    const transport = new WebSocketTransport(
      ws,
      placeholderSink,
      verified.protocol,
      supportsBinary,
      this.settings.maxHttpBufferSize,
      deflate ? deflate.threshold : Infinity,
    );
    const socket = this.register(id, verified.protocol, transport, req);
    this.emit('connection', socket);
  }

  private register(id: string, protocol: 3 | 4, transport: PollingTransport | WebSocketTransport, req: IncomingMessage): EngineSocket {
    const socket = new EngineSocket(id, this, protocol, transport, req);
    this.clients[id] = socket;
    this.clientsCount++;
    socket.open(this.upgradesFor(transport.name));
    return socket;
  }

  /** Whether `client` may be upgraded to a WebSocket now. */
  private mayUpgrade(client: EngineSocket): boolean {
    return this.settings.allowUpgrades && client.canUpgrade();
  }

  /** The transports a session on `transport` may upgrade to (sent in the handshake). */
  upgradesFor(transport: TransportName): string[] {
    return transport === 'polling' && this.settings.allowUpgrades && this.settings.transports.includes('websocket') ? ['websocket'] : [];
  }

  /** Called by a session when it reaches `closed`. */
  forget(socket: EngineSocket): void {
    if (this.clients[socket.id] !== socket) return;
    delete this.clients[socket.id];
    this.clientsCount--;
  }

  private webSocketServer(): WebSocketServer {
    if (this.wss) return this.wss;
    const { wsEngine, perMessageDeflate, maxHttpBufferSize } = this.settings;
    const options = { noServer: true, clientTracking: false, perMessageDeflate, maxPayload: maxHttpBufferSize };
    const Engine: new (opts: any) => WebSocketServer =
      typeof wsEngine === 'function' ? wsEngine : wsEngine === 'ws' ? WebSocketServer : createRequire(path.join(process.cwd(), 'index.js'))(wsEngine).Server;
    const wss = new Engine(options);
    wss.on('headers', (headers: string[], req: IncomingMessage) => {
      const sid = (req as IncomingMessage & { [kHandshakeSid]?: string })[kHandshakeSid];
      const cookie = sid && sessionCookie(this.settings, sid);
      if (cookie) headers.push(`Set-Cookie: ${cookie}`);
      if (this.listenerCount('headers') + this.listenerCount('initial_headers') > 0) {
        const added: Record<string, string | string[]> = {};
        // A new session's WebSocket (it has a handshake sid) is the initial request; an upgrade is not.
        if (sid) this.emit('initial_headers', added, req);
        this.emit('headers', added, req);
        for (const [name, value] of Object.entries(validHeaders(added)))
          for (const each of Array.isArray(value) ? value : [value]) headers.push(`${name}: ${each}`);
      }
      headers.push(...upgradeHeaderLines(req));
    });
    return (this.wss = wss);
  }

  /** Closes every session (reason 'server shutting down'), then the WebSocket server. */
  close(): this {
    for (const id of Object.keys(this.clients)) this.clients[id]?.shutdown();
    this.wss?.close();
    this.wss = undefined;
    return this;
  }
}

/** Forbidden, with the origins function's error string as the message when it gave one (socket.io 2 does). */
function originRefusal(req: IncomingMessage, reason: string | undefined): EngineRefusal {
  return refusal(EngineErrorCode.FORBIDDEN, { origin: req.headers.origin }, reason || undefined);
}

const refusalCodes: Record<number, true> = { 0: true, 1: true, 2: true, 3: true, 4: true, 5: true };

/** A list where one value belongs: engine.io finds no such transport, no such session, no such protocol (v4). */
const repeatedParameterCodes: Record<EngineParameter, EngineErrorCode> = {
  transport: EngineErrorCode.UNKNOWN_TRANSPORT,
  sid: EngineErrorCode.UNKNOWN_SID,
  EIO: EngineErrorCode.UNSUPPORTED_PROTOCOL_VERSION,
  j: EngineErrorCode.BAD_REQUEST,
  b64: EngineErrorCode.BAD_REQUEST,
};

/** Headers with a valid name and value only (what listeners set may not be). */
function validHeaders(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  const valid: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) continue;
    const values = (Array.isArray(value) ? value : [value]).map(String);
    if (values.some((each) => hasInvalidHeaderChar(each) || /[\r\n]/.test(each))) continue;
    valid[name] = Array.isArray(value) ? values : values[0];
  }
  return valid;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Closes a WebSocket nobody will read (a close frame without a code); its errors are of no interest. */
function turnAway(ws: WebSocket): void {
  ws.on('error', ignore);
  ws.close();
}

function ignore(): void {}

function uncork(socket: Duplex): void {
  socket.uncork();
}
