/**
 * The Engine.IO server's options, as engine.io and socket.io 2.x name them,
 * and their defaults.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { silentRecorder, type Recorder } from '../log/events';
import type { HttpCompressionOptions } from './http-compression';
import type { OriginsOption } from './origins';
import type { TransportName } from './transport';

export interface EngineOptions {
  /** How long to wait for a pong (v4) / beyond pingInterval for a ping (v3). Default 5000. */
  pingTimeout?: number;
  /** Default 25000. */
  pingInterval?: number;
  /** How long an upgrade (probe to upgrade packet) may take. Default 10000. */
  upgradeTimeout?: number;
  /** Largest message or polling body in bytes. Default 1e6. */
  maxHttpBufferSize?: number;
  /**
   * iostate: most bytes queued for one session that its client does not take
   * (a backed-up WebSocket, polling without GETs) before the session is ended
   * with 'transport error', so a client that never reads cannot hold the
   * server's memory. Default 32 MiB; Infinity turns it off.
   */
  maxBufferedBytes?: number;
  allowRequest?: (req: IncomingMessage, fn: (err: string | number | null | undefined, success: boolean) => void) => void;
  /** Default ['polling', 'websocket']. */
  transports?: TransportName[];
  /** Default true. */
  allowUpgrades?: boolean;
  /** WebSocket permessage-deflate: true means { threshold: 1024 }. Default false, as in engine.io 3. */
  perMessageDeflate?: boolean | Record<string, unknown>;
  /** gzip/deflate of polling responses: true means { threshold: 1024 }. Default true. */
  httpCompression?: boolean | Partial<HttpCompressionOptions>;
  /** Name of the session cookie set at handshake (`true`: 'io'), or false for none. Default 'io'. */
  cookie?: string | boolean;
  /** Default '/'. */
  cookiePath?: string | false;
  /** Default true. */
  cookieHttpOnly?: boolean;
  /** 'ws', another module name exporting a ws-compatible `Server`, or such a class. */
  wsEngine?: string | (new (opts: any) => any);
  /** Allowed origins (socket.io 2.x semantics). Default '*:*'. */
  origins?: OriginsOption;
  /** Where lifecycle events go. Default: nowhere. */
  recorder?: Recorder;
  /**
   * iostate: every request that names a session (polling requests, the
   * WebSocket upgrade) must come from the client address of its handshake;
   * others are answered "Session ID unknown". A defence for 2.x clients,
   * whose public socket id is their session id. `true` compares the TCP peer
   * address; a function returns the address to compare (for example from a
   * header your own reverse proxy sets). Default false (see docs/reliability.md).
   */
  bindSessionToAddress?: boolean | ((req: IncomingMessage) => string);
  /**
   * CORS as engine.io 4+ does it (iostate/v4): a middleware, the `cors`
   * package's, runs on every HTTP request under the path before the request
   * is verified, and the engine writes no CORS headers of its own; `null`:
   * no CORS at all. Undefined (the 2.x face): socket.io 2's headers and
   * preflight answers, with `origins`.
   */
  cors?: HttpMiddleware | null;
  /** Serve Engine.IO v3 (socket.io-client 2.x) sessions. Default true; socket.io 4's default, false, is the v4 face's. */
  allowEIO3?: boolean;
}

/** A connect-style middleware: answers the request itself, or calls `next` to let it go on. */
export type HttpMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

export interface ResolvedEngineOptions {
  pingTimeout: number;
  pingInterval: number;
  upgradeTimeout: number;
  maxHttpBufferSize: number;
  maxBufferedBytes: number;
  allowRequest: EngineOptions['allowRequest'];
  transports: TransportName[];
  allowUpgrades: boolean;
  perMessageDeflate: false | (Record<string, unknown> & { threshold: number });
  httpCompression: false | HttpCompressionOptions;
  cookie: string | false;
  cookiePath: string | false;
  cookieHttpOnly: boolean;
  wsEngine: string | (new (opts: any) => any);
  recorder: Recorder;
  /** The address a session is bound to, or undefined when sessions are not bound. */
  sessionAddress: ((req: IncomingMessage) => string) | undefined;
  cors: HttpMiddleware | null | undefined;
  allowEIO3: boolean;
}

const DEFAULT_THRESHOLD = 1024;

export function resolveEngineOptions(options: EngineOptions = {}): ResolvedEngineOptions {
  const transports = (options.transports ?? ['polling', 'websocket']).filter((name) => name === 'polling' || name === 'websocket');
  return {
    pingTimeout: options.pingTimeout ?? 5000,
    pingInterval: options.pingInterval ?? 25000,
    upgradeTimeout: options.upgradeTimeout ?? 10000,
    maxHttpBufferSize: options.maxHttpBufferSize ?? 1e6,
    maxBufferedBytes: options.maxBufferedBytes ?? 32 * 1024 * 1024,
    allowRequest: options.allowRequest,
    transports,
    allowUpgrades: options.allowUpgrades !== false,
    perMessageDeflate: withThreshold(options.perMessageDeflate ?? false),
    httpCompression: withThreshold(options.httpCompression ?? true) as ResolvedEngineOptions['httpCompression'],
    cookie: options.cookie === undefined || options.cookie === true ? 'io' : options.cookie,
    cookiePath: options.cookiePath === undefined ? '/' : options.cookiePath,
    cookieHttpOnly: options.cookieHttpOnly !== false,
    wsEngine: options.wsEngine ?? 'ws',
    recorder: options.recorder ?? silentRecorder,
    sessionAddress: typeof options.bindSessionToAddress === 'function' ? options.bindSessionToAddress : options.bindSessionToAddress ? peerAddress : undefined,
    cors: options.cors,
    allowEIO3: options.allowEIO3 !== false,
  };
}

function peerAddress(req: IncomingMessage): string {
  return req.socket?.remoteAddress ?? '';
}

function withThreshold(value: boolean | Record<string, unknown>): false | (Record<string, unknown> & { threshold: number }) {
  if (value === false) return false;
  if (value === true) return { threshold: DEFAULT_THRESHOLD };
  return { threshold: DEFAULT_THRESHOLD, ...value } as Record<string, unknown> & { threshold: number };
}

/** The Set-Cookie value for a new session, or undefined when cookies are off. */
export function sessionCookie(options: ResolvedEngineOptions, sid: string): string | undefined {
  if (options.cookie === false) return undefined;
  let cookie = `${options.cookie}=${encodeURIComponent(sid)}`;
  if (options.cookiePath !== false) {
    cookie += `; Path=${options.cookiePath}`;
    if (options.cookieHttpOnly) cookie += '; HttpOnly';
  }
  return `${cookie}; SameSite=Lax`;
}
