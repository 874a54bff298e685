/**
 * `server.set(key, value)`: socket.io 0.9's settings, which socket.io 2.x
 * still took. Each maps to today's option, as socket.io 2.5.1 maps it;
 * `log level` is accepted and changes nothing. The first call in a process
 * prints a deprecation warning naming the options to use instead.
 */
import type { IncomingMessage } from 'node:http';
import { EngineServer } from '../transport/engine-server';
import type { EngineOptions } from '../transport/engine-options';
import type { OriginsOption } from '../transport/origins';
import { checkServerOption } from './server-options';

/** The 0.9 names of engine options: taken by new sessions once the engine runs. */
const ENGINE_SETTINGS = {
  transports: 'transports',
  'heartbeat timeout': 'pingTimeout',
  'heartbeat interval': 'pingInterval',
  'destroy buffer size': 'maxHttpBufferSize',
} as const;

type EngineSettingName = (typeof ENGINE_SETTINGS)[keyof typeof ENGINE_SETTINGS];

/** The engine options the settings stand for, kept for `attach` until the engine runs. */
type EngineSettings = Partial<Pick<EngineOptions, EngineSettingName>>;

/** What the settings change on the server: the Server is one. */
export interface LegacySettingsTarget {
  readonly engine: EngineServer | undefined;
  origins(value: OriginsOption): unknown;
  path(value: string): unknown;
  use(fn: (socket: { request: IncomingMessage }, next: (err?: Error) => void) => unknown): unknown;
}

/** `(handshakeData, callback)`: socket.io 0.9's authorization function; handshakeData is the request. */
export type LegacyAuthorization = (handshakeData: unknown, callback: (err: unknown, authorized?: boolean) => void) => void;

let warned = false;

/** Applies one setting; returns the engine option to keep for `attach` when the engine does not run yet. */
export function applyLegacySetting(server: LegacySettingsTarget, key: string, value: unknown): EngineSettings | undefined {
  warnOnce();
  if (Object.hasOwn(ENGINE_SETTINGS, key)) {
    const name = ENGINE_SETTINGS[key as keyof typeof ENGINE_SETTINGS];
    // Checked as the option it stands for: a wrong type fails here, not in the handshake clients get.
    checkServerOption(`io.set(${JSON.stringify(key)}, value)`, name, value);
    return setEngineOption(server, name, value);
  }
  if (key === 'authorization' && value) authorizeWith(server, value as LegacyAuthorization);
  else if (key === 'origins' && value) server.origins(value as OriginsOption);
  else if (key === 'resource') server.path(String(value));
  else if (key !== 'log level') console.error('Option %s is not valid. Please refer to the README.', key);
  return undefined;
}

/** As socket.io 2.x: a middleware on `/`; an error refuses with its text, `authorized` false with 'Not authorized'. */
function authorizeWith(server: LegacySettingsTarget, authorize: LegacyAuthorization): void {
  server.use((socket, next) => {
    authorize(socket.request, (err, authorized) => {
      if (err) return next(new Error(String(err)));
      if (!authorized) return next(new Error('Not authorized'));
      next();
    });
  });
}

/** Before attach: an option for the engine to come. After: the running engine's setting, for sessions opened from now on. */
function setEngineOption(server: LegacySettingsTarget, name: EngineSettingName, value: unknown): EngineSettings | undefined {
  const engine = server.engine as EngineServer | Record<string, unknown> | undefined;
  if (!engine) return { [name]: value };
  if (!(engine instanceof EngineServer)) {
    engine[name] = value; // an engine.io server given to bind(), as socket.io 2.x sets it
  } else if (name === 'transports') {
    engine.settings.transports = (value as string[]).filter((t): t is 'polling' | 'websocket' => t === 'polling' || t === 'websocket');
  } else {
    engine.settings[name] = Number(value);
  }
  return undefined;
}

function warnOnce(): void {
  if (warned) return;
  warned = true;
  process.emitWarning(
    'server.set() is deprecated (as in socket.io 2.x): pass transports, pingTimeout, pingInterval, maxHttpBufferSize, path and origins as options, and authorize with io.use().',
    { type: 'DeprecationWarning', code: 'IOSTATE_SERVER_SET' },
  );
}
