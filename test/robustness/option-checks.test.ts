/**
 * Options and API arguments are checked where the application writes them.
 * A wrong type is a TypeError at construction (or at the call) that names the
 * field, instead of a value sent to clients in the handshake, written to the
 * log, or an internal message sent to a client at its first connect.
 * Options of socket.io 3/4 that this API does not implement, and unknown
 * options, warn once per process.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import iostate from '../../src';
import { Server } from '../../src/actors/server';
import { optionKind } from '../../src/actors/server-options';
import { connectClient, connected } from './helpers/clients';
import { startIostate, within, type Running } from './helpers/server';

let warnings: { message: string; code?: string }[];
let running: Running | undefined;

beforeEach(() => {
  warnings = [];
  vi.spyOn(process, 'emitWarning').mockImplementation(((message: string, options?: { code?: string }) => {
    warnings.push({ message, code: options?.code });
  }) as typeof process.emitWarning);
});

afterEach(async () => {
  vi.restoreAllMocks();
  await running?.stop();
  running = undefined;
});

describe('option types are checked at construction', () => {
  it.each([
    [{ pingInterval: 'abc' }, 'option pingInterval must be a number of milliseconds from 0 to 2147483647, got string'],
    [{ pingTimeout: -1 }, 'option pingTimeout must be a number of milliseconds from 0 to 2147483647, got -1'],
    // setTimeout would fire a longer delay after 1 ms: a ping storm.
    [{ pingInterval: 2 ** 31 }, 'option pingInterval must be a number of milliseconds'],
    [{ upgradeTimeout: Number.NaN }, 'got NaN'],
    [{ maxHttpBufferSize: '1e6' }, 'option maxHttpBufferSize must be a number of bytes'],
    [{ maxBufferedBytes: 0 }, 'option maxBufferedBytes must be a positive number of bytes'],
    [{ transports: 'websocket' }, 'option transports must be an array of transport names'],
    [{ allowUpgrades: 'no' }, 'option allowUpgrades must be true or false'],
    [{ perMessageDeflate: { threshold: 'big' } }, 'option perMessageDeflate.threshold must be a number of bytes, got string'],
    [{ httpCompression: 1 }, 'option httpCompression must be true, false or an object'],
    [{ cookie: { name: 'io', sameSite: 'strict' } }, 'the object form of socket.io 4 is not supported'],
    // A cookie name or path that would write attributes of its own into Set-Cookie.
    [{ cookie: 'io; Domain=evil.example' }, 'option cookie must be a cookie name'],
    [{ cookiePath: '/; Domain=evil.example' }, 'option cookiePath must be a path or false'],
    [{ allowRequest: true }, 'option allowRequest must be a function, got boolean'],
    [{ wsEngine: 42 }, 'option wsEngine must be a module name or a ws-compatible Server class'],
    [{ origins: 42 }, 'option origins must be'],
    [{ bindSessionToAddress: 'yes' }, 'option bindSessionToAddress must be true, false or a function'],
    [{ path: 'socket.io' }, "option path must be a path starting with '/'"],
    [{ serveClient: 'false' }, 'option serveClient must be true or false, got string'],
    [{ adapter: 42 }, 'option adapter must be an adapter class'],
    [{ parser: { Encoder: 1 } }, 'option parser must be a parser module with Encoder and Decoder classes'],
    [{ connectTimeout: '45s' }, 'option connectTimeout must be a number of milliseconds'],
    [{ destroyUpgradeTimeout: null }, 'got null'],
    [{ handlePreflightRequest: 'yes' }, 'option handlePreflightRequest must be true, false or a function'],
    [{ cleanupEmptyChildNamespaces: 1 }, 'option cleanupEmptyChildNamespaces must be true or false'],
    [{ inspector: { path: '/iostate' } }, 'option inspector must be an object with an auth function'],
  ])('%o is a TypeError that names the field', (options, message) => {
    expect(() => new Server(options as never)).toThrow(TypeError);
    expect(() => new Server(options as never)).toThrow(message);
    // The factory and attach check them too.
    expect(() => iostate(options as never)).toThrow(message);
    expect(() => new Server().attach(0, options as never)).toThrow(message);
  });

  it('a server built with a wrong pingInterval never starts serving it', async () => {
    expect(() => iostate(0, { pingInterval: 'abc' } as never)).toThrow(TypeError);
  });

  it('the first argument is an http.Server, a port or options', () => {
    expect(() => new Server(true as never)).toThrow('new Server(srv) must be an http.Server, a port number or an options object, got boolean');
    expect(() => new Server().attach('not a port')).toThrow('io.attach(srv) must be an http.Server or a port number, got string');
    expect(() => new Server().attach(70_000)).toThrow('got 70000');
  });

  it('accepts every valid form, without a warning', () => {
    const io = new Server({
      path: '/x',
      serveClient: false,
      adapter: iostate.Adapter,
      origins: ['https://example.com:443'],
      parser: createRequire(import.meta.url)('socket.io-parser'),
      connectTimeout: 1000,
      eventLog: false,
      cleanupEmptyChildNamespaces: true,
      addTrailingSlash: false,
      pingTimeout: 1,
      pingInterval: 0,
      upgradeTimeout: 2 ** 31 - 1,
      maxHttpBufferSize: Infinity,
      maxBufferedBytes: Infinity,
      allowRequest: (_req, fn) => fn(null, true),
      transports: ['websocket'],
      allowUpgrades: false,
      perMessageDeflate: { threshold: 0, zlibDeflateOptions: {} },
      httpCompression: false,
      cookie: true,
      cookiePath: false,
      cookieHttpOnly: false,
      wsEngine: 'ws',
      bindSessionToAddress: (req) => req.socket.remoteAddress ?? '',
      destroyUpgrade: false,
      destroyUpgradeTimeout: 10,
      handlePreflightRequest: false,
      inspector: { auth: () => false },
    });
    io.close();
    expect(warnings).toEqual([]);
  });

  it("knows every option of socket.io 2.5.1 and engine.io 3 (read from their sources): none is 'unknown'", () => {
    const fromV2 = createRequire(createRequire(import.meta.url).resolve('socket.io-v2'));
    const sources = [
      fromV2.resolve('engine.io'),
      path.join(path.dirname(fromV2.resolve('engine.io')), 'server.js'),
      createRequire(import.meta.url).resolve('socket.io-v2'),
    ];
    const names = new Set<string>();
    for (const file of sources) for (const [, name] of readFileSync(file, 'utf8').matchAll(/\b(?:opts|options)\.(\w+)/g)) names.add(name);
    for (const internal of ['allowRequest', 'initialPacket']) expect(names).toContain(internal); // the reading found the list
    expect([...names].filter((name) => optionKind(name) === 'unknown')).toEqual([]);
    expect(optionKind('initialPacket')).toBe('unsupported'); // socket.io 2 sets it for engine.io itself
  });
});

/** The top-level fields of `interface <name>` in a .d.ts file. */
function interfaceFields(file: string, name: string): string[] {
  const source = readFileSync(file, 'utf8');
  const start = source.indexOf('{', source.indexOf(`interface ${name}`)) + 1;
  const fields: string[] = [];
  let depth = 1;
  for (const line of source.slice(start).split('\n')) {
    const field = depth === 1 ? /^\s+(\w+)\??:/.exec(line) : null;
    if (field) fields.push(field[1]);
    for (const char of line) depth += char === '{' ? 1 : char === '}' ? -1 : 0;
    if (depth === 0) break;
  }
  return fields;
}

it('every option of socket.io 4 and engine.io 6 (read from their type definitions) is supported or warned about, never unknown', () => {
  const engineTypes = path.join(path.dirname(createRequire(import.meta.url).resolve('engine.io')), 'server.d.ts');
  const socketIoTypes = path.join(path.dirname(createRequire(import.meta.url).resolve('socket.io')), 'index.d.ts');
  const names = [
    ...interfaceFields(engineTypes, 'ServerOptions'),
    ...interfaceFields(engineTypes, 'AttachOptions'),
    ...interfaceFields(socketIoTypes, 'ServerOptions'),
  ];
  expect(names).toEqual(expect.arrayContaining(['cors', 'allowEIO3', 'connectionStateRecovery', 'cleanupEmptyChildNamespaces'])); // the reading found the lists
  expect(names.filter((name) => optionKind(name) === 'unknown')).toEqual([]);
  expect(optionKind('cors')).toBe('unsupported');
});

describe('options this API does not implement warn once per process', () => {
  it('cors (socket.io 3/4) warns that origins are not checked by it, once', () => {
    new Server({ cors: { origin: 'https://app.example' }, eventLog: false } as never).close();
    new Server({ cors: { origin: 'https://other.example' }, eventLog: false } as never).close();
    const cors = warnings.filter((w) => w.message.includes('option cors'));
    expect(cors).toHaveLength(1);
    expect(cors[0].code).toBe('IOSTATE_UNSUPPORTED_OPTION');
    expect(cors[0].message).toMatch(/origins.*allows every origin unless you set it/);
  });

  it('allowEIO3 warns only when false; connectionStateRecovery is an option now, checked, not warned about', () => {
    new Server({ connectionStateRecovery: {}, allowEIO3: true, eventLog: false } as never).close();
    expect(warnings).toEqual([]);
    expect(optionKind('connectionStateRecovery')).toBe('checked');
    expect(() => new Server({ connectionStateRecovery: { maxDisconnectionDuration: '2m' }, eventLog: false } as never)).toThrow(
      'iostate: option connectionStateRecovery.maxDisconnectionDuration must be a number of milliseconds from 0 to 2147483647, got string',
    );
    expect(() => new Server({ connectionStateRecovery: { maxPackets: 0 }, eventLog: false } as never)).toThrow(
      'connectionStateRecovery.maxPackets must be a whole number',
    );
    expect(() => new Server({ connectionStateRecovery: { skipMiddleware: false }, eventLog: false } as never)).toThrow('no other fields than');
    new Server({ allowEIO3: false, eventLog: false } as never).close();
    expect(warnings.at(-1)?.message).toContain('option allowEIO3');
  });

  it("an unsupported transport (socket.io 4's webtransport) warns and the others are served", () => {
    new Server({ transports: ['polling', 'websocket', 'webtransport'], eventLog: false } as never).close();
    expect(warnings.map((w) => w.message)).toEqual([expect.stringContaining('transport "webtransport"')]);
  });

  it('an unknown option warns once, naming the option it may be a typo of', () => {
    new Server({ pingIntervall: 1000, eventLog: false } as never).close();
    new Server({ pingIntervall: 2000, eventLog: false } as never).close();
    expect(warnings).toEqual([{ message: 'iostate: unknown option "pingIntervall" is ignored; did you mean pingInterval?.', code: 'IOSTATE_UNKNOWN_OPTION' }]);
    new Server({ somethingElse: 1, eventLog: false } as never).close();
    expect(warnings.at(-1)?.message).toBe('iostate: unknown option "somethingElse" is ignored.');
    // Set to undefined, an option is not given: spread configs do that.
    new Server({ yetAnother: undefined, eventLog: false } as never).close();
    expect(warnings).toHaveLength(2);
  });
});

describe('misused API calls throw at the call, and clients never see an internal message', () => {
  it.each([
    ['io.of(123)', (io: Server) => io.of(123 as never), 'io.of(name) must be a namespace name, a RegExp or a function (name, query, next), got 123'],
    ['io.adapter(42)', (io: Server) => io.adapter(42 as never), 'io.adapter(value) must be an adapter class'],
    ['io.use("x")', (io: Server) => io.use('x' as never), 'io.use(fn) must be a middleware function (socket, next), got string'],
    ['namespace.use({})', (io: Server) => io.of('/chat').use({} as never), 'namespace.use(fn) must be a middleware function'],
    ['io.path(5)', (io: Server) => io.path(5 as never), 'io.path(value) must be a path'],
    ['io.origins(5)', (io: Server) => io.origins(5 as never), 'io.origins(value) must be'],
    ['io.serveClient("no")', (io: Server) => io.serveClient('no' as never), 'io.serveClient(value) must be true or false'],
    [
      "io.set('heartbeat timeout', 'abc')",
      (io: Server) => io.set('heartbeat timeout', 'abc'),
      'io.set("heartbeat timeout", value) must be a number of milliseconds',
    ],
  ])('%s', async (_call, misuse, message) => {
    running = await startIostate();
    const io = running.io;
    io.of('/chat');
    const adapterBefore = io.adapter();
    expect(() => misuse(io)).toThrow(TypeError);
    expect(() => misuse(io)).toThrow(message);
    // Nothing half-applied: the server still serves a client, on / and on another namespace.
    expect(io.adapter()).toBe(adapterBefore);
    for (const nsp of ['/', '/chat']) {
      const client = connectClient('v4', running.url, 'websocket', nsp);
      await connected(client);
      client.close();
    }
  });

  it('socket.use("x") throws in the handler that wrote it; the client is not sent "fns[i] is not a function"', async () => {
    running = await startIostate();
    const thrown: unknown[] = [];
    running.io.on('connection', (socket) => {
      try {
        socket.use('x' as never);
      } catch (error) {
        thrown.push(error);
      }
      socket.on('ping?', (ack: (v: string) => void) => ack('pong'));
    });
    const client = connectClient('v4', running.url);
    const errors: unknown[] = [];
    client.on('connect_error', (err: unknown) => errors.push(err));
    await connected(client);
    expect(await within(new Promise((resolve) => client.emit('ping?', resolve)), 2000, 'the answer')).toBe('pong');
    expect(String(thrown[0])).toContain('socket.use(fn) must be a middleware function (packet, next), got string');
    expect(errors).toEqual([]);
    client.close();
  });
});
