// Options socket.io 2.x hands to engine.attach, given to the Server:
// handlePreflightRequest, destroyUpgrade, destroyUpgradeTimeout.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket as TcpSocket } from 'node:net';
import type { Duplex } from 'node:stream';
import { expect, it, vi } from 'vitest';
import { adopt, createServer, forEachClient, itBeyondReference, listen, withTimeout } from './harness';
import { httpGet } from './harness/raw-http';

const PREFLIGHT_PATH = '/socket.io/?EIO=4&transport=polling';

/** An http server with a request listener of its own (answers 204 "app"), then the io server on it. */
async function startWithAppListener(options: Record<string, unknown>) {
  const httpServer = createHttpServer((_req, res) => res.writeHead(204, { 'x-answered-by': 'app' }).end());
  const io = createServer(httpServer, options);
  return adopt(io, httpServer, await listen(httpServer));
}

/** Sends an upgrade request nobody handles and resolves with how long the server took to drop it, or 'open' after `waitMs`. */
function unhandledUpgrade(port: number, waitMs: number): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const startedAt = Date.now();
    const tcp: TcpSocket = connect(port, '127.0.0.1', () => {
      tcp.write(
        'GET /elsewhere HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
    });
    const timer = setTimeout(() => {
      tcp.destroy();
      resolve('open');
    }, waitMs);
    tcp.on('error', () => {});
    tcp.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - startedAt);
    });
  });
}

forEachClient(() => {
  it('handlePreflightRequest: a function answers the CORS preflights under the path, with the http server as this', async () => {
    const handlePreflightRequest = vi.fn((req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'Access-Control-Allow-Origin': String(req.headers.origin), 'Access-Control-Allow-Headers': 'Authorization' });
      res.end();
    });
    const fixture = await startWithAppListener({ handlePreflightRequest });
    const preflight = await httpGet(fixture.port, PREFLIGHT_PATH, { origin: 'http://app.example' }, 'OPTIONS');
    expect(preflight.status).toBe(200);
    expect(preflight.headers['access-control-allow-headers']).toBe('Authorization');
    expect(preflight.headers['access-control-allow-origin']).toBe('http://app.example');
    expect(handlePreflightRequest.mock.contexts[0]).toBe(fixture.httpServer);
    // Outside the path, and for other methods, nothing changes.
    expect((await httpGet(fixture.port, '/elsewhere', {}, 'OPTIONS')).headers['x-answered-by']).toBe('app');
    expect((await httpGet(fixture.port, PREFLIGHT_PATH)).status).toBe(200);
  });

  itBeyondReference('a handlePreflightRequest that throws costs that request a 500; the server goes on', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const fixture = await startWithAppListener({
        handlePreflightRequest() {
          throw new Error('preflight bug');
        },
      });
      expect((await httpGet(fixture.port, PREFLIGHT_PATH, {}, 'OPTIONS')).status).toBe(500);
      expect(errors).toHaveBeenCalled();
      expect((await httpGet(fixture.port, PREFLIGHT_PATH)).status).toBe(200);
    } finally {
      errors.mockRestore();
    }
  });

  it("handlePreflightRequest: false leaves the preflights to the http server's own listeners", async () => {
    const fixture = await startWithAppListener({ handlePreflightRequest: false });
    const preflight = await httpGet(fixture.port, PREFLIGHT_PATH, { origin: 'http://app.example' }, 'OPTIONS');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['x-answered-by']).toBe('app');
  });

  // engine.io 3 answers preflights only for an existing session (a handshake preflight gets 400,
  // why 2.x apps sending custom headers needed handlePreflightRequest); iostate answers them all.
  itBeyondReference('without handlePreflightRequest the server answers every preflight under the path itself', async () => {
    const fixture = await startWithAppListener({});
    const preflight = await httpGet(fixture.port, PREFLIGHT_PATH, { origin: 'http://app.example' }, 'OPTIONS');
    expect(preflight.status).toBe(200);
    expect(preflight.headers['access-control-allow-headers']).toBe('Content-Type');
  });

  it('destroyUpgradeTimeout and destroyUpgrade: false reach the engine', async () => {
    const quick = await startWithAppListener({ destroyUpgradeTimeout: 50 });
    const dropped = await withTimeout(unhandledUpgrade(quick.port, 800), 2000, 'no answer');
    expect(dropped).not.toBe('open');
    expect(dropped as number).toBeLessThan(800);

    const kept = await startWithAppListener({ destroyUpgrade: false, destroyUpgradeTimeout: 50 });
    // A listener that holds the socket without answering, as a slow application would; released at the end.
    const held: Duplex[] = [];
    kept.httpServer.on('upgrade', (_req: IncomingMessage, socket: Duplex) => held.push(socket));
    expect(await unhandledUpgrade(kept.port, 300)).toBe('open');
    expect(held).toHaveLength(1);
    for (const socket of held) socket.destroy();
  });
});
