// Engine.IO options given to the Server reach the engine: heartbeats,
// transports, upgrades, size limit, allowRequest, cookies, compression.
import { expect, it } from 'vitest';
import WebSocket from 'ws';
import { forEachClient, nextEvent, sleep, startServer, waitUntil, withTimeout, type ClientKind } from './harness';
import { httpGet, openRawPollingSession } from './harness/raw-http';

function eio(kind: ClientKind): number {
  return kind.generation === 2 ? 3 : 4;
}

/** The extensions the server accepted on a raw WebSocket handshake that offers permessage-deflate. */
async function negotiatedExtensions(port: number, kind: ClientKind): Promise<string> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=${eio(kind)}&transport=websocket`, { perMessageDeflate: true });
  try {
    await withTimeout(new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject)), 2000, 'no websocket');
    return ws.extensions;
  } finally {
    ws.terminate();
  }
}

forEachClient((kind) => {
  it('pingInterval and pingTimeout are announced to the client', async () => {
    const fixture = await startServer({ pingInterval: 1234, pingTimeout: 567 });
    const { client } = await fixture.pair(kind);
    expect(client.heartbeat()).toEqual({ pingInterval: 1234, pingTimeout: 567 });
  });

  it('transports: ["websocket"] refuses polling and accepts websocket', async () => {
    const fixture = await startServer({ transports: ['websocket'] });
    expect((await fixture.client(kind, '/', { transports: ['polling'] }).settled()).type).toBe('transport-error');
    expect((await fixture.client(kind, '/', { transports: ['websocket'] }).settled()).type).toBe('connected');
  });

  it('a polling client upgrades to websocket by default; allowUpgrades: false keeps it on polling', async () => {
    const upgrading = await startServer();
    const { client, socket } = await upgrading.pair(kind);
    await withTimeout(
      waitUntil(() => socket.conn.transport.name === 'websocket'),
      2000,
      'no upgrade',
    );
    expect(client.transportName).toBe('websocket');

    const stuck = await startServer({ allowUpgrades: false });
    const pinned = await stuck.pair(kind);
    await sleep(100);
    expect(pinned.client.transportName).toBe('polling');
    expect(pinned.socket.conn.transport.name).toBe('polling');
  });

  for (const transport of ['polling', 'websocket'] as const) {
    it(`maxHttpBufferSize: a larger message closes the session; smaller ones pass (${transport})`, async () => {
      const fixture = await startServer({ maxHttpBufferSize: 1000 });
      const { client, socket } = await fixture.pair(kind, '/', { transports: [transport] });
      const small = nextEvent(socket, 'small');
      client.emit('small', 'x'.repeat(100));
      await small;
      const gone = nextEvent(socket, 'disconnect');
      client.emit('big', 'x'.repeat(5000));
      // socket.io 2 says 'transport error'/'transport close' over websocket and 'parse error' over polling.
      expect((await gone)[0]).toMatch(/^(transport error|transport close|parse error)$/);
    });
  }

  it('allowRequest(req, fn) accepts or refuses handshakes', async () => {
    const fixture = await startServer({
      allowRequest: (req: { headers: Record<string, string> }, fn: (err: unknown, ok: boolean) => void) => fn(null, req.headers['x-pass'] === 'yes'),
    });
    expect((await fixture.client(kind, '/', { extraHeaders: { 'x-pass': 'yes' } }).settled()).type).toBe('connected');
    expect((await fixture.client(kind, '/', { extraHeaders: { 'x-pass': 'no' } }).settled()).type).toBe('transport-error');
  });

  it('cookie: "io" is set on the handshake by default, renamed or removed by the options', async () => {
    const handshake = `/socket.io/?EIO=${eio(kind)}&transport=polling`;
    const byDefault = await startServer();
    const cookie = String((await httpGet(byDefault.port, handshake)).headers['set-cookie']);
    expect(cookie).toMatch(/^io=[^;]+; Path=\/; HttpOnly/);

    const renamed = await startServer({ cookie: 'sid', cookiePath: '/app', cookieHttpOnly: false });
    const renamedCookie = String((await httpGet(renamed.port, handshake)).headers['set-cookie']);
    expect(renamedCookie).toMatch(/^sid=[^;]+; Path=\/app(;|$)/);
    expect(renamedCookie).not.toMatch(/HttpOnly/);

    const none = await startServer({ cookie: false });
    expect((await httpGet(none.port, handshake)).headers['set-cookie']).toBeUndefined();
  });

  it('httpCompression compresses large polling responses unless disabled', async () => {
    const fetchLarge = async (options: Record<string, unknown>) => {
      const fixture = await startServer(options);
      fixture.io.on('connection', (socket) => socket.emit('large', 'y'.repeat(5000)));
      const session = await openRawPollingSession(fixture.port, eio(kind));
      return httpGet(fixture.port, session.pollPath, { 'accept-encoding': 'gzip' });
    };
    const compressed = await fetchLarge({});
    expect(compressed.headers['content-encoding']).toBe('gzip');
    const plain = await fetchLarge({ httpCompression: false });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toContain('y'.repeat(5000));
  });

  it('perMessageDeflate: true negotiates the extension; false does not', async () => {
    const on = await startServer({ perMessageDeflate: true });
    expect(await negotiatedExtensions(on.port, kind)).toContain('permessage-deflate');
    const off = await startServer({ perMessageDeflate: false });
    expect(await negotiatedExtensions(off.port, kind)).toBe('');
  });

  it('upgradeTimeout: an upgrade probed but never completed is dropped in time', async () => {
    const fixture = await startServer({ upgradeTimeout: 200 });
    const { sid } = await openRawPollingSession(fixture.port, eio(kind));
    const startedAt = Date.now();
    const ws = new WebSocket(`ws://127.0.0.1:${fixture.port}/socket.io/?EIO=${eio(kind)}&transport=websocket&sid=${sid}`);
    try {
      const probed = new Promise((resolve) => ws.once('message', resolve));
      await withTimeout(new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject)), 2000, 'no websocket');
      ws.send('2probe');
      expect(String(await withTimeout(probed, 2000, 'no probe answer'))).toBe('3probe');
      await withTimeout(new Promise((resolve) => ws.once('close', resolve)), 2000, 'the unfinished upgrade was kept');
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(200);
    } finally {
      ws.terminate();
    }
  });

  it('wsEngine: "ws" is accepted', async () => {
    const fixture = await startServer({ wsEngine: 'ws' });
    expect((await fixture.client(kind, '/', { transports: ['websocket'] }).settled()).type).toBe('connected');
  });
});
