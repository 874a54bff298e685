// The served client bundles in a real browser: Debian's chromium, headless,
// driven by playwright-core. A page loads <path>/socket.io.js (the 2.x
// client, as socket.io 2.5.1 serves it) or <path>/v4/socket.io.js (the 4.x
// client) from the server under test, connects over polling, upgrades to
// websocket, exchanges an event and an ack in each direction, then drops the
// connection and sees the client reconnect.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { adopt, createServer, isReference, listen, onCleanup, type SocketLike } from '../interop/harness';
import { CHROMIUM, chromiumPresent, skipWithoutChromium } from './chromium';

const skipBrowser = skipWithoutChromium('CLIENT BUNDLE BROWSER TEST');

/** A page that loads the bundle at `src`; `window.outcome` says what the client saw. */
const pageLoading = (src: string) => `<!doctype html>
<meta charset="utf-8">
<title>iostate browser test</title>
<script src="${src}"></script>
<script>
  window.outcome = new Promise((resolve, reject) => {
    const seen = { eio: null, transports: [], welcome: null, ackFromServer: null, serverAsked: null, reconnectOnSocket: null, reconnectOnManager: null };
    const socket = io({ transports: ['polling', 'websocket'], reconnectionDelay: 50, reconnectionDelayMax: 100 });
    socket.on('connect_error', (err) => reject(String(err && err.message || err)));
    // 2.x pages listen for reconnect on the socket; 4.x emits it on the Manager only.
    socket.on('reconnect', (attempt) => { seen.reconnectOnSocket = attempt; });
    socket.io.on('reconnect', (attempt) => {
      seen.reconnectOnManager = attempt;
      setTimeout(() => resolve(seen), 0);
    });
    socket.io.once('open', () => {
      const engine = socket.io.engine;
      seen.eio = String(engine.transport.query.EIO);
      seen.transports.push(engine.transport.name);
      engine.on('upgrade', (transport) => {
        seen.transports.push(transport.name);
        socket.emit('hello', 'from the browser', (answer) => {
          seen.ackFromServer = answer;
          socket.emit('done', seen);
          // Drop the connection: the client reconnects by itself.
          engine.close();
        });
      });
    });
    socket.on('welcome', (text) => { seen.welcome = text; });
    socket.on('question', (text, answer) => { seen.serverAsked = text; answer(text.toUpperCase()); });
  });
</script>`;

const BUNDLES = [
  { src: '/socket.io/socket.io.js', client: '2.x', eio: '3', reconnectOnSocket: 1 },
  { src: '/socket.io/v4/socket.io.js', client: '4.x', eio: '4', reconnectOnSocket: null },
] as const;

// socket.io 2 installed under an alias serves the socket.io-client at
// ../../socket.io-client, which here is 4.x and cannot talk to it, so the
// reference has nothing to show (test/static/serve-client.differential.test.ts
// compares what it serves).
describe.skipIf(isReference)('the served client bundles in headless Chromium', () => {
  it.skipIf(skipBrowser).each(BUNDLES)('$src: the $client client connects, upgrades, exchanges events and acks, reconnects', async (bundle) => {
    expect(chromiumPresent, `${CHROMIUM} is required (IOSTATE_REQUIRE_CHROMIUM=1) but missing`).toBe(true);

    const httpServer = createHttpServer((req, res) => {
      if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(pageLoading(bundle.src));
      else res.writeHead(404).end();
    });
    const io = createServer(httpServer);
    const port = await listen(httpServer);
    adopt(io, httpServer, port);

    const answers: unknown[] = [];
    let helloFromBrowser: unknown;
    const done = new Promise<void>((resolve) => {
      let connections = 0;
      io.on('connection', (socket: SocketLike) => {
        if (++connections > 1) return; // the reconnection
        socket.emit('welcome', 'hi browser');
        socket.emit('question', 'are you there?', (answer: unknown) => answers.push(answer));
        socket.on('hello', (text: unknown, ack: (value: string) => void) => {
          helloFromBrowser = text;
          ack('hello browser');
        });
        socket.on('done', () => resolve());
      });
    });

    const userDataDir = mkdtempSync(join(tmpdir(), 'iostate-chromium-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    onCleanup(async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    });

    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    const seen = await page.evaluate(() => (globalThis as any).outcome);
    await done;

    expect(pageErrors).toEqual([]);
    expect(seen.eio).toBe(bundle.eio);
    expect(seen.reconnectOnManager).toBe(1);
    expect(seen.reconnectOnSocket).toBe(bundle.reconnectOnSocket);
    expect(seen.transports).toEqual(['polling', 'websocket']);
    expect(seen.welcome).toBe('hi browser');
    expect(seen.ackFromServer).toBe('hello browser');
    expect(seen.serverAsked).toBe('are you there?');
    expect(helloFromBrowser).toBe('from the browser');
    expect(answers).toEqual(['ARE YOU THERE?']);
  });
});
