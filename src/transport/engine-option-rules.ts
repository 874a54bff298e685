/**
 * What each Engine.IO option may hold (engine.io 3's list, the attach
 * options socket.io 2 hands to `engine.attach`, and iostate's own), for
 * the Server to check at construction. Wrong types fail there, with the
 * field's name, instead of being sent to clients in the handshake.
 */
import { z } from 'zod';
import type { AttachOptions } from './engine-server';
import type { EngineOptions } from './engine-options';
import { booleanRule, bytesRule, delayRule, functionRule, functionSchema, objectSchema, optionRule, type OptionRule } from './option-rules';

/** A cookie name is an HTTP token: a `;` or a space would let it write attributes of its own. */
const COOKIE_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A cookie path must not end the attribute or the header it is written in. */
const isCookiePath = (path: string): boolean => ![...path].some((char) => char === ';' || char < ' ' || char === '\u007f');

const threshold = optionRule('a number of bytes', z.number().min(0));
const compressionRule = (what: string) => optionRule(`true, false or an object of ${what} options`, z.union([z.boolean(), objectSchema]), { threshold });

// `cors` and `allowEIO3` are the v4 face's (src/v4/options.ts checks them); the 2.x face warns about them.
export const ENGINE_OPTION_RULES: Record<Exclude<keyof EngineOptions, 'recorder' | 'cors' | 'allowEIO3'>, OptionRule> = {
  pingTimeout: delayRule,
  pingInterval: delayRule,
  upgradeTimeout: delayRule,
  maxHttpBufferSize: bytesRule,
  maxBufferedBytes: optionRule(
    'a positive number of bytes, or Infinity',
    z.custom<number>((v) => typeof v === 'number' && v > 0),
  ),
  allowRequest: functionRule,
  transports: optionRule('an array of transport names ("polling", "websocket")', z.array(z.string())),
  allowUpgrades: booleanRule,
  perMessageDeflate: compressionRule('ws permessage-deflate'),
  httpCompression: compressionRule('compression'),
  cookie: optionRule(
    "a cookie name, true (named 'io') or false (the object form of socket.io 4 is not supported)",
    z.union([z.string().regex(COOKIE_TOKEN), z.boolean()]),
  ),
  cookiePath: optionRule('a path or false', z.union([z.string().refine(isCookiePath), z.literal(false)])),
  cookieHttpOnly: booleanRule,
  wsEngine: optionRule('a module name or a ws-compatible Server class', z.union([z.string().min(1), functionSchema])),
  origins: optionRule(
    "'*:*', an origin pattern such as 'https://example.com:443', an array of them, or a function (origin, callback)",
    z.union([z.string(), z.array(z.string()), functionSchema]),
  ),
  bindSessionToAddress: optionRule('true, false or a function (req) returning an address', z.union([z.boolean(), functionSchema])),
};

export const ATTACH_OPTION_RULES: Record<keyof AttachOptions, OptionRule> = {
  path: optionRule("a path starting with '/'", z.string().startsWith('/')),
  destroyUpgrade: booleanRule,
  destroyUpgradeTimeout: delayRule,
  handlePreflightRequest: optionRule('true, false or a function (req, res)', z.union([z.boolean(), functionSchema])),
};

/** The transports this engine serves; others in `transports` are ignored (with a warning). */
export const KNOWN_TRANSPORTS: ReadonlySet<string> = new Set(['polling', 'websocket']);
