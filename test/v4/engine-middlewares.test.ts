// engine.io 4+'s middlewares on iostate/v4 (`io.engine.use(fn)`), compared
// with socket.io 4.8: run on the handshake and the WebSocket upgrade before
// they are verified (what socket.io 4 apps use to share an express-session),
// their headers in the answer, a failure answered 400 MIDDLEWARE_FAILURE.
import { request } from 'node:http';
import { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import type { Socket } from '../../src/v4';
import { connected, differential, next, type Side } from './harness';

type Req = { url?: string; headers: Record<string, unknown>; user?: string };
type Next = (err?: Error) => void;

function install(side: Side): void {
  side.io.engine.use((req: Req, res: { setHeader(name: string, value: string): void }, next: Next) => {
    if (req.headers['x-fail'] === 'yes') return next(new Error('no session'));
    req.user = String(req.headers['x-user'] ?? 'nobody');
    res.setHeader('X-Seen-By', 'middleware');
    next();
  });
}

function handshake(side: Side, headers: Record<string, string>): Promise<{ status: number; seen: unknown; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: side.port, path: '/socket.io/?EIO=4&transport=polling', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, seen: res.headers['x-seen-by'] ?? null, body: res.statusCode === 200 ? 'open packet' : body }),
      );
    })
      .on('error', reject)
      .end();
  });
}

describe('iostate/v4 engine middlewares, compared with socket.io 4.8', () => {
  it('run on polling handshakes: headers in the answer, a failure is 400 MIDDLEWARE_FAILURE', async () => {
    const { ours, theirs } = await differential(async (side) => {
      install(side);
      return { ok: await handshake(side, { 'x-user': 'ann' }), failed: await handshake(side, { 'x-fail': 'yes' }) };
    });
    expect(ours).toEqual(theirs);
    expect(ours.ok).toEqual({ status: 200, seen: 'middleware', body: 'open packet' });
    expect(ours.failed.status).toBe(400);
  });

  it('run on WebSocket upgrades too: the socket sees what they put on the request; a failure refuses the upgrade', async () => {
    const { ours, theirs } = await differential(async (side) => {
      install(side);
      const connection = next<[Socket]>(side.io, 'connection');
      const client = side.client('/', { extraHeaders: { 'x-user': 'bob' } });
      const [socket] = await connection;
      await connected(client);
      const refused = side.client('/', { extraHeaders: { 'x-fail': 'yes' } });
      const outcome = await connected(refused).then(
        () => 'connected',
        (err: Error) => err.message,
      );
      return { user: (socket.request as unknown as Req).user, outcome };
    });
    expect(ours).toEqual(theirs);
    expect(ours).toEqual({ user: 'bob', outcome: 'websocket error' });
  });
});

describe('iostate/v4 engine initial_headers and headers events, compared with socket.io 4.8', () => {
  it('a listener adds headers to the handshake (initial_headers) and to every response (headers), on polling and WebSocket', async () => {
    const { ours, theirs } = await differential(async (side) => {
      side.io.engine.on('initial_headers', (headers: Record<string, unknown>) => {
        headers['set-cookie'] = ['first=1; Path=/', 'second=2; Path=/'];
      });
      side.io.engine.on('headers', (headers: Record<string, unknown>) => {
        headers['x-every'] = 'yes';
      });
      const polling = await new Promise<Record<string, unknown>>((resolve, reject) => {
        request({ host: '127.0.0.1', port: side.port, path: '/socket.io/?EIO=4&transport=polling' }, (res) => {
          res.resume();
          res.on('end', () => resolve({ cookies: res.headers['set-cookie'], every: res.headers['x-every'] }));
        })
          .on('error', reject)
          .end();
      });
      const websocket = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${side.port}/socket.io/?EIO=4&transport=websocket`);
        ws.on('upgrade', (res) => resolve({ cookies: res.headers['set-cookie'], every: res.headers['x-every'] }));
        ws.on('open', () => ws.close());
        ws.on('error', reject);
      });
      return { polling, websocket };
    });
    expect(ours.polling).toEqual(theirs.polling);
    expect(ours.polling).toEqual({ cookies: ['first=1; Path=/', 'second=2; Path=/'], every: 'yes' });
    // A known difference (docs/migrating-from-socket.io-4.md): engine.io 6 writes a list as one header line
    // ("first=1; Path=/,second=2; Path=/", one broken cookie); iostate writes one line per value, as on polling.
    expect(theirs.websocket).toEqual({ cookies: ['first=1; Path=/,second=2; Path=/'], every: 'yes' });
    expect(ours.websocket).toEqual(ours.polling);
  });
});
