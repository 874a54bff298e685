/**
 * The inspector against DNS rebinding and path tricks, on a real server:
 * a request whose Host is not this server's is refused before `auth` runs,
 * on every route and the event stream too; routes match the raw path, so
 * dot segments, encoded or not, never reach the snapshot.
 */
import http from 'node:http';
import net from 'node:net';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { Server } from '../../src/actors/server';
import { createInspectorHandler } from '../../src/inspect/http-endpoint';
import { EventLog } from '../../src/log/event-log';
import { startLive } from './live';

const ROUTES = ['/', '/snapshot', '/events', '/machines', '/lanes', '/timeline'];

/** One raw request: the path is sent as given (fetch would normalise it) and Host as chosen. */
function request(base: string, path: string, host?: string): Promise<{ status: number; body: string }> {
  const { hostname: address, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: address, port, path, headers: host === undefined ? {} : { host } }, (res) => {
      // The event stream never ends by itself: its status line is the answer.
      if (res.headers['content-type']?.startsWith('text/event-stream')) {
        resolve({ status: res.statusCode!, body: '' });
        req.destroy();
        return;
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An HTTP/1.0 request with no Host header at all (HTTP/1.1 requires one, so Node would answer 400 itself). */
function requestWithoutHost(base: string, path: string): Promise<string> {
  const { hostname: address, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), address, () => socket.write(`GET ${path} HTTP/1.0\r\n\r\n`));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text.split('\r\n')[0]!));
    socket.on('error', reject);
  });
}

describe('inspector Host allow-list', () => {
  it('refuses a foreign Host with 403 on every route, the event stream included, before auth runs', async () => {
    let authCalls = 0;
    const live = await startLive({
      auth: () => {
        authCalls++;
        return true;
      },
    });
    const { port } = new URL(live.url);
    for (const route of ROUTES) {
      for (const host of [`rebind.attacker.example:${port}`, 'rebind.attacker.example', `localhost.attacker.example:${port}`, `127.0.0.1.nip.io:${port}`]) {
        const answer = await request(live.url, `/iostate${route}`, host);
        expect(answer.status, `${host} ${route}`).toBe(403);
        expect(answer.body).not.toContain('{');
      }
    }
    expect(authCalls).toBe(0);
    expect((await request(live.url, '/iostate/snapshot', `127.0.0.1:${port}`)).status).toBe(200);
    expect(authCalls).toBe(1);
  });

  it("answers the local names and the machine's host name, with or without the port", async () => {
    const live = await startLive({ auth: () => true });
    const { port } = new URL(live.url);
    for (const name of ['localhost', 'LOCALHOST', 'localhost.', '127.0.0.1', '[::1]', hostname()]) {
      for (const host of [name, `${name}:${port}`]) expect((await request(live.url, '/iostate/snapshot', host)).status, host).toBe(200);
    }
  });

  it('refuses a missing or malformed Host', async () => {
    const live = await startLive({ auth: () => true });
    expect(await requestWithoutHost(live.url, '/iostate/snapshot')).toMatch(/^HTTP\/1\.1 403 /);
    for (const host of ['localhost@attacker.example', 'attacker.example/localhost', 'localhost:3000:1', '[::1', 'local host']) {
      expect((await request(live.url, '/iostate/snapshot', host)).status, JSON.stringify(host)).toBe(403);
    }
    // Other paths are the application's: no Host rule of the inspector applies there.
    expect((await request(live.url, '/socket.io/?EIO=4&transport=polling', 'attacker.example')).status).toBe(200);
  });

  it('answers the address the request arrived on, and the names given in allowedHosts', async () => {
    // 127.0.0.2 is loopback on Linux but none of the local names: only the bound address allows it.
    const server = http.createServer((req, res) => {
      if (!inspector(req, res)) res.writeHead(404).end();
    });
    const io = new Server(server);
    const inspector = createInspectorHandler(io, { auth: () => true, allowedHosts: ['ops.example.com', 'OPS2.example.com.'] });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
    const base = `http://127.0.0.2:${(server.address() as net.AddressInfo).port}`;
    try {
      for (const host of ['127.0.0.2', `127.0.0.2:${new URL(base).port}`, 'ops.example.com', 'ops.example.com:8443', 'ops2.example.com']) {
        expect((await request(base, '/iostate/snapshot', host)).status, host).toBe(200);
      }
      for (const host of ['127.0.0.3', 'evil.ops.example.com', 'example.com']) expect((await request(base, '/iostate/snapshot', host)).status, host).toBe(403);
    } finally {
      inspector.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => io.close(() => resolve()));
    }
  });

  it('holds for the Server option inspector too, allowedHosts included', async () => {
    const server = http.createServer((_req, res) => res.writeHead(404).end());
    const io = new Server(server, { inspector: { auth: () => true, allowedHosts: ['ops.example.com'] } });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    try {
      expect((await request(base, '/iostate/events', 'attacker.example')).status).toBe(403);
      expect((await request(base, '/iostate/snapshot', 'ops.example.com')).status).toBe(200);
      expect((await request(base, '/iostate/snapshot', 'localhost')).status).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => io.close(() => resolve()));
    }
  });

  it('refuses an allowedHosts entry with a port, a path or a wildcard', () => {
    const target = { log: new EventLog(), nsps: new Map() };
    for (const entry of ['ops.example.com:443', 'http://ops.example.com', '*.example.com', 'ops.example.com/x', '']) {
      expect(() => createInspectorHandler(target, { auth: () => true, allowedHosts: [entry] }), entry).toThrow(/allowedHosts/);
    }
    expect(() => createInspectorHandler(target, { auth: () => true, allowedHosts: 'any' as never })).toThrow(/allowedHosts/);
  });
});

describe('inspector routes match the raw path', () => {
  it('never takes dot segments, encoded or not, for the snapshot', async () => {
    const live = await startLive({ auth: () => true });
    const host = new URL(live.url).host;
    const tricks = [
      '/x/../iostate/snapshot',
      '/x/%2E%2E/iostate/snapshot',
      '/x/%2e%2e/iostate/snapshot',
      '/x/.%2E/iostate/snapshot',
      '/iostate/./snapshot',
      '/iostate/x/../snapshot',
      '/iostate/x/%2E%2E/snapshot',
      '/iostate//snapshot',
      '/iostate/%73napshot',
      '/%69ostate/snapshot',
      '/./iostate/snapshot',
    ];
    for (const path of tricks) {
      const answer = await request(live.url, path, host);
      expect(answer.status, path).toBe(404);
      expect(answer.body, path).not.toContain('"totals"');
    }
    expect((await request(live.url, '/iostate/snapshot?limit=1', host)).status).toBe(200);
  });

  it('accepts only a plain path as its own', () => {
    const target = { log: new EventLog(), nsps: new Map() };
    for (const path of ['/a/../iostate', '/a/./b', '/a%2Fb', '/a//b', '/a b', '/a?b']) {
      expect(() => createInspectorHandler(target, { auth: () => true, path }), path).toThrow(/plain segments/);
    }
    expect(createInspectorHandler(target, { auth: () => true, path: '/ops/io-state.v2/' }).path).toBe('/ops/io-state.v2');
  });
});
