/**
 * The Server's options, checked once when the server is built (and again for
 * the options `attach` is given):
 *
 * - a known option of the wrong type throws a TypeError naming it;
 * - an option of socket.io 3/4 this API does not implement (`cors`,
 *   `initialPacket`…) warns once, saying what happens instead:
 *   a silently ignored `cors` would leave a migrating app open to any origin;
 * - an unknown option warns once, with the known option it may be a typo of.
 *
 * Warnings go through `process.emitWarning`, once per option name per
 * process (as Node's own deprecation warnings), so a test suite that builds
 * a hundred servers prints each one once.
 */
import { z } from 'zod';
import { recoveryOptionRule } from '../adapters/recovery/options';
import { ATTACH_OPTION_RULES, ENGINE_OPTION_RULES, KNOWN_TRANSPORTS } from '../transport/engine-option-rules';
import { booleanRule, checkOption, delayRule, functionSchema, isPlainObject, objectSchema, optionRule, type OptionRule } from '../transport/option-rules';

const SERVER_OPTION_RULES = {
  ...ENGINE_OPTION_RULES,
  ...ATTACH_OPTION_RULES,
  serveClient: booleanRule,
  adapter: optionRule('an adapter class (a constructor taking the namespace)', functionSchema),
  parser: optionRule(
    'a parser module with Encoder and Decoder classes',
    objectSchema.refine((parser) => typeof parser.Encoder === 'function' && typeof parser.Decoder === 'function'),
  ),
  connectTimeout: delayRule,
  cleanupEmptyChildNamespaces: booleanRule,
  // Its other fields are the inspector's to check, when it is attached.
  inspector: optionRule(
    'an object with an auth function, { auth: (req) => boolean }',
    objectSchema.refine((inspector) => typeof inspector.auth === 'function'),
  ),
  // socket.io 4.6, with iostate's bounds (src/adapters/recovery/options.ts).
  connectionStateRecovery: recoveryOptionRule,
  // socket.io 4.6: iostate matches the path with and without the trailing slash, which covers both settings.
  addTrailingSlash: booleanRule,
} satisfies Record<string, OptionRule>;

const ruleOf = (key: string): OptionRule | undefined =>
  Object.hasOwn(SERVER_OPTION_RULES, key) ? (SERVER_OPTION_RULES as Record<string, OptionRule>)[key] : undefined;

/** Options whose own code checks them, with errors of its own (createEventLog). */
const CHECKED_ELSEWHERE: ReadonlySet<string> = new Set(['eventLog']);

/** The option names checked here or elsewhere (CHECKED_ELSEWHERE): server.ts holds its ServerOptions to them. */
export type CheckedServerOption = keyof typeof SERVER_OPTION_RULES | 'eventLog';

/**
 * socket.io 3/4 and engine.io options this server does not implement, each
 * with what happens instead; undefined when the value asks for what iostate
 * does anyway.
 */
const UNSUPPORTED: Readonly<Record<string, (value: unknown) => string | undefined>> = {
  cors: () =>
    "is socket.io 3/4's and is ignored: this server checks origins with the socket.io 2.x option 'origins', which allows every origin unless you set it",
  allowEIO3: (value) => (value === false ? "is socket.io 3/4's: socket.io-client 2.x (Engine.IO 3) clients are always served" : undefined),
  initialPacket: () => 'is ignored: the handshake carries no extra packet',
};

const warned = new Set<string>();

function warnOnce(key: string, message: string, code: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  process.emitWarning(message, { type: 'IostateWarning', code });
}

/** Checks `options` (the constructor's or `attach`'s); throws a TypeError on a wrong type, warns on the rest. */
export function checkServerOptions(options: unknown): void {
  if (options === undefined || options === null) return;
  if (!isPlainObject(options)) throw new TypeError(`iostate: options must be an object, got ${Array.isArray(options) ? 'an array' : typeof options}`);
  for (const key of Object.keys(options)) {
    const value = options[key];
    // An option set to undefined is an option not given (configs are often spread together).
    if (value === undefined) continue;
    const kind = optionKind(key);
    if (kind === 'checked') {
      const rule = ruleOf(key);
      if (rule) checkOption(`option ${key}`, rule, value);
    } else if (kind === 'unsupported') {
      const consequence = UNSUPPORTED[key](value);
      if (consequence) warnOnce(`unsupported:${key}`, `iostate: option ${key} ${consequence}.`, 'IOSTATE_UNSUPPORTED_OPTION');
    } else {
      warnOnce(`unknown:${key}`, `iostate: unknown option ${JSON.stringify(key)} is ignored${typoHint(key)}.`, 'IOSTATE_UNKNOWN_OPTION');
    }
  }
  for (const name of (options.transports as string[] | undefined) ?? []) {
    if (!KNOWN_TRANSPORTS.has(name)) {
      warnOnce(
        `transport:${name}`,
        `iostate: transport ${JSON.stringify(name)} in option transports is not supported and is ignored.`,
        'IOSTATE_UNSUPPORTED_OPTION',
      );
    }
  }
}

/** How the Server treats an option name: checked (and used), warned about as unsupported, or unknown. */
export function optionKind(name: string): 'checked' | 'unsupported' | 'unknown' {
  if (ruleOf(name) || CHECKED_ELSEWHERE.has(name)) return 'checked';
  return Object.hasOwn(UNSUPPORTED, name) ? 'unsupported' : 'unknown';
}

/** Checks one argument of a setter such as `io.path(value)`, with that option's rule. */
export function checkServerOption(where: string, option: keyof typeof SERVER_OPTION_RULES, value: unknown): void {
  checkOption(where, SERVER_OPTION_RULES[option], value);
}

const KNOWN_OPTIONS = [...Object.keys(SERVER_OPTION_RULES), ...CHECKED_ELSEWHERE];

/** ", did you mean pingInterval?" for a key one or two edits (or only case) away from a known option. */
function typoHint(key: string): string {
  const lower = key.toLowerCase();
  const match = KNOWN_OPTIONS.find((known) => known.toLowerCase() === lower || (key.length >= 5 && editDistance(known.toLowerCase(), lower) <= 2));
  return match ? `; did you mean ${match}?` : '';
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** For `io.of(name)`: a name, a RegExp or a matcher function. */
export const namespaceNameRule = optionRule(
  'a namespace name, a RegExp or a function (name, query, next)',
  z.union([z.string(), z.instanceof(RegExp), functionSchema]),
);
/** For `use(fn)`: middlewares are functions. */
export const middlewareRule = optionRule('a middleware function (socket, next)', functionSchema);
export const packetMiddlewareRule = optionRule('a middleware function (packet, next)', functionSchema);
