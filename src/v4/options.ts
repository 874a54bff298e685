/**
 * socket.io 4.8's server options, turned into the core's: engine.io 6's
 * defaults where they differ from engine.io 3's (pingTimeout 20 s, no
 * session cookie, no Engine.IO v3 clients), `cors` through the `cors`
 * package as engine.io 6 applies it, and the cookie's object form. What the
 * core knows it checks itself (wrong types throw, unknown names warn).
 */
import type { IncomingMessage } from 'node:http';
import cors, { type CorsOptions, type CorsOptionsDelegate } from 'cors';
import type { ServerOptions as CoreOptions } from '../actors/server';
import type { Handshake } from '../actors/socket';
import type { EventLogOption } from '../log/options';
import type { EngineOptions, HttpMiddleware } from '../transport/engine-options';
import { checkOption, booleanRule, objectSchema, optionRule, functionSchema } from '../transport/option-rules';
import { z } from 'zod';

/** engine.io 6's cookie option: a name (true: 'io'), or the cookie's attributes. */
export interface CookieOptions {
  name?: string;
  path?: string | false;
  httpOnly?: boolean;
}

/**
 * `S`: the socket `eventLog.label(handshake, socket)` gets, this face's
 * (server.ts names its Socket type; naming it here would make an import cycle).
 */
export interface ServerOptions<S = unknown> extends Omit<
  CoreOptions,
  'cookie' | 'cookiePath' | 'cookieHttpOnly' | 'origins' | 'handlePreflightRequest' | 'eventLog'
> {
  /** The core's event log (docs/log.md); its `label` gets this face's socket, the one middlewares and listeners get. */
  eventLog?: EventLogOption<Handshake, S>;
  /** CORS for the HTTP requests under the path, as the `cors` package takes it. Default: none (no CORS headers). */
  cors?: CorsOptions | CorsOptionsDelegate<IncomingMessage>;
  /** Serve socket.io-client 2.x (Engine.IO v3). Default false, as socket.io 4. */
  allowEIO3?: boolean;
  /** The session cookie: false (default), true (named 'io'), or its attributes. */
  cookie?: boolean | CookieOptions;
}

/** What the core server is built with, and what the engine gets from this face. */
export interface TranslatedOptions {
  core: CoreOptions;
  engine: Pick<EngineOptions, 'cors' | 'allowEIO3'>;
}

const corsRule = optionRule("the cors package's options (an object) or a function (req, callback)", z.union([objectSchema, functionSchema]));
const cookieRule = optionRule('true, false or an object { name, path, httpOnly }', z.union([z.boolean(), objectSchema]));

/**
 * The core's options and the engine's settings for `options`; with
 * `defaults` false (options given to `attach`), only what they name.
 */
export function translateOptions<S>(options: ServerOptions<S> = {}, defaults = true): TranslatedOptions {
  // connectionStateRecovery is the core's (docs/recovery.md): it goes through with the rest.
  const { cors: corsOptions, allowEIO3, cookie, eventLog, ...faceRest } = options;
  // The core calls `label` with a socket's face (actors/socket.ts): this face's socket, which S names.
  const rest: Omit<CoreOptions, 'cookie' | 'cookiePath' | 'cookieHttpOnly'> = {
    ...faceRest,
    ...(eventLog === undefined ? {} : { eventLog: eventLog as CoreOptions['eventLog'] }),
  };
  if (corsOptions !== undefined) checkOption('option cors', corsRule, corsOptions);
  if (allowEIO3 !== undefined) checkOption('option allowEIO3', booleanRule, allowEIO3);
  if (cookie !== undefined) checkOption('option cookie', cookieRule, cookie);
  if (!defaults) {
    const engine: TranslatedOptions['engine'] = {};
    if (corsOptions !== undefined) engine.cors = cors(corsOptions as CorsOptions) as unknown as HttpMiddleware;
    if (allowEIO3 !== undefined) engine.allowEIO3 = allowEIO3;
    return { core: { ...rest, ...(cookie === undefined ? {} : cookieSettings(cookie)) }, engine };
  }
  // engine.io 6's defaults where engine.io 3's differ: a longer pingTimeout, no cookie, no v3 clients.
  const core: CoreOptions = { pingTimeout: 20_000, ...rest, ...cookieSettings(cookie) };
  const middleware = corsOptions === undefined ? null : (cors(corsOptions as CorsOptions) as unknown as HttpMiddleware);
  return { core, engine: { cors: middleware, allowEIO3: allowEIO3 === true } };
}

function cookieSettings(cookie: ServerOptions['cookie']): Pick<CoreOptions, 'cookie' | 'cookiePath' | 'cookieHttpOnly'> {
  if (cookie === undefined || cookie === false) return { cookie: false };
  if (cookie === true) return { cookie: 'io', cookiePath: '/' };
  return {
    cookie: cookie.name ?? 'io',
    cookiePath: cookie.path ?? '/',
    cookieHttpOnly: cookie.httpOnly ?? cookie.path !== false,
  };
}
