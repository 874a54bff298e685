// `server.set(key, value)`, socket.io 0.9's settings that socket.io 2.5.1
// still takes, compared with the reference: each key does what 2.5.1 makes
// of it, seen by real clients.
import { createServer as createHttpServer } from 'node:http';
import { afterAll, expect, it, vi } from 'vitest';
import { adopt, clientV2, FAST_HEARTBEAT, isReference, listen, nextEvent, withTimeout } from './harness';
import { itMatchesReference } from './harness/match-reference';

// Registered before any set() runs in this file: the warning is once per process.
const warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);
process.on('warning', onWarning);
afterAll(() => {
  process.off('warning', onWarning);
});

itMatchesReference(
  "set('heartbeat interval' | 'heartbeat timeout') after attach reach the next handshake",
  async (side, kind) => {
    const fixture = await side.start();
    expect(fixture.io.set('heartbeat interval', 4321)).toBe(fixture.io);
    fixture.io.set('heartbeat timeout', 1234);
    const { client } = await fixture.pair(kind);
    return client.heartbeat();
  },
  {
    reference: (heartbeat) => expect(heartbeat).toEqual({ pingInterval: 4321, pingTimeout: 1234 }),
  },
);

itMatchesReference(
  "set('transports', ['polling']) after attach turns WebSocket away and offers no upgrade",
  async (side, kind) => {
    const fixture = await side.start();
    fixture.io.set('transports', ['polling']);
    const websocket = await fixture.client(kind, '/', { transports: ['websocket'] }).settled();
    const polling = await fixture.pair(kind);
    const engine = polling.client.raw.io.engine; // engine.io-client 6 keeps the list private
    return { websocket: websocket.type, polling: polling.client.connected, upgrades: engine.upgrades ?? engine._upgrades };
  },
  {
    reference: (observed) => expect(observed).toEqual({ websocket: 'transport-error', polling: true, upgrades: [] }),
  },
);

itMatchesReference(
  "set('destroy buffer size') after attach bounds what a polling client may send",
  async (side, kind) => {
    // The server notices the refused client at its next heartbeat.
    const fixture = await side.start(FAST_HEARTBEAT);
    fixture.io.set('destroy buffer size', 200);
    const { client, socket } = await fixture.pair(kind, '/', { transports: ['polling'] });
    const received: string[] = [];
    socket.on('small', () => received.push('small'));
    socket.on('big', () => received.push('big'));
    await withTimeout(
      new Promise<void>((resolve) =>
        client.ack('small', 'x'.repeat(50)).then(
          () => resolve(),
          () => resolve(),
        ),
      ),
      3000,
      'small',
    );
    const gone = nextEvent(socket, 'disconnect');
    client.emit('big', 'x'.repeat(500));
    await gone;
    return received;
  },
  {
    reference: (received) => expect(received).toEqual(['small']),
  },
);

for (const [decision, outcome] of [
  ['authorized', { type: 'connected' }],
  ['not authorized', { type: 'refused', message: 'Not authorized' }],
  ['an error', { type: 'refused', message: 'bad token' }],
] as const) {
  itMatchesReference(
    `set('authorization', fn): ${decision} gives ${outcome.type}`,
    async (side, kind) => {
      const fixture = await side.start();
      const seen: unknown[] = [];
      fixture.io.set('authorization', (handshakeData: any, callback: (err: unknown, authorized?: boolean) => void) => {
        seen.push({ url: String(handshakeData.url).startsWith('/socket.io/'), headers: typeof handshakeData.headers });
        if (decision === 'an error') callback('bad token');
        else callback(null, decision === 'authorized');
      });
      const settled = await fixture.client(kind, '/').settled();
      return { settled, seen };
    },
    {
      reference: (observed) => expect(observed).toEqual({ settled: outcome, seen: [{ url: true, headers: 'object' }] }),
    },
  );
}

itMatchesReference(
  "set('resource', path) before attach serves under that path",
  async (side, kind) => {
    const httpServer = createHttpServer();
    const io = side.create();
    io.set('resource', '/legacy/');
    io.attach(httpServer);
    const fixture = adopt(io, httpServer, await listen(httpServer));
    const outcome = await fixture.client(kind, '/', { path: '/legacy' }).settled();
    return { path: io.path(), outcome };
  },
  {
    reference: (observed) => expect(observed).toEqual({ path: '/legacy', outcome: { type: 'connected' } }),
  },
);

itMatchesReference(
  "set('origins', value) checks the Origin of new connections",
  async (side, kind) => {
    const fixture = await side.start();
    fixture.io.set('origins', 'http://good.example:80');
    const good = await fixture.client(kind, '/', { transports: ['polling'], extraHeaders: { origin: 'http://good.example' } }).settled();
    const evil = await fixture.client(kind, '/', { transports: ['polling'], extraHeaders: { origin: 'http://evil.example' } }).settled();
    return { origins: fixture.io.origins(), good: good.type, evil: evil.type };
  },
  {
    reference: (observed) => expect(observed).toEqual({ origins: 'http://good.example:80', good: 'connected', evil: 'transport-error' }),
  },
);

itMatchesReference(
  "set('log level', n) is taken and changes nothing; an unknown key is reported on the console",
  async (side, kind) => {
    const fixture = await side.start();
    const logLevel = fixture.io.set('log level', 3) === fixture.io;
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      fixture.io.set('no such setting', true);
      const reported = consoleError.mock.calls.map((args) => args.join(' '));
      const outcome = await fixture.client(kind, '/').settled();
      return { logLevel, reported, outcome };
    } finally {
      consoleError.mockRestore();
    }
  },
  {
    clients: [clientV2],
    reference: (observed) => expect(observed.reported).toEqual(['Option %s is not valid. Please refer to the README. no such setting']),
  },
);

// Last in the file: every set() above ran in this process by now.
it.skipIf(isReference)('set() prints one deprecation warning per process, whatever the number of calls', async () => {
  await new Promise((resolve) => setImmediate(resolve));
  const ours = warnings.filter((warning) => (warning as { code?: string }).code === 'IOSTATE_SERVER_SET');
  expect(ours).toHaveLength(1);
  expect(ours[0].name).toBe('DeprecationWarning');
  expect(ours[0].message).toMatch(/server\.set\(\) is deprecated/);
});
