// The HTTP side of iostate/v4's options, compared with socket.io 4.8:
// `cors` (through the cors package, as engine.io 6), and serveClient (the
// 4.x bundles under the path).
import { createServer, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { Server as SocketIo4 } from 'socket.io';
import { Server as IostateV4 } from '../../src/v4';
import { closeHttp, listen, onCleanup } from '../interop/harness/fixture';
import { differential, type Side } from './harness';

interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
}

const SHOWN = ['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-allow-methods', 'access-control-allow-headers', 'vary'];

function ask(side: Side, method: string, path: string, headers: Record<string, string> = {}, shown = SHOWN): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: side.port, method, path, headers }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: Object.fromEntries(shown.map((name) => [name, res.headers[name] as string | undefined])) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const HANDSHAKE = '/socket.io/?EIO=4&transport=polling';

describe('iostate/v4 cors, compared with socket.io 4.8', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['no cors option: no CORS headers at all', {}],
    ['one allowed origin', { cors: { origin: 'https://app.example' } }],
    ['the origin reflected, with credentials', { cors: { origin: true, credentials: true } }],
    ['a list of origins and methods', { cors: { origin: ['https://a.example', 'https://b.example'], methods: ['GET', 'POST'] } }],
  ];
  for (const [label, options] of cases) {
    it(label, async () => {
      const { ours, theirs } = await differential(async (side) => {
        const origin = { Origin: 'https://b.example' };
        return {
          handshake: await ask(side, 'GET', HANDSHAKE, origin),
          preflight: await ask(side, 'OPTIONS', HANDSHAKE, { ...origin, 'Access-Control-Request-Method': 'POST' }),
          badRequest: await ask(side, 'GET', '/socket.io/?EIO=4&transport=carrier-pigeon', origin),
        };
      }, options);
      expect(ours).toEqual(theirs);
    });
  }

  it('states it: no option, no header; an origin given, that origin', async () => {
    const bare = await differential((side) => ask(side, 'GET', HANDSHAKE, { Origin: 'https://evil.example' }));
    expect(bare.ours.headers['access-control-allow-origin']).toBeUndefined();
    const one = await differential((side) => ask(side, 'GET', HANDSHAKE, { Origin: 'https://evil.example' }), { cors: { origin: 'https://app.example' } });
    expect(one.ours.headers['access-control-allow-origin']).toBe('https://app.example');
  });
});

describe('iostate/v4 allowRequest and path, compared with socket.io 4.8', () => {
  it('allowRequest refuses a handshake with 403; path moves the endpoint', async () => {
    const read = (side: Side, path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        request({ host: '127.0.0.1', port: side.port, path, headers }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: res.statusCode === 200 ? 'open packet' : body }));
        })
          .on('error', reject)
          .end();
      });
    const { ours, theirs } = await differential(
      async (side) => ({
        refused: await read(side, '/chat/?EIO=4&transport=polling'),
        allowed: await read(side, '/chat/?EIO=4&transport=polling', { 'x-token': 'yes' }),
      }),
      {
        path: '/chat',
        allowRequest: (req: { headers: Record<string, unknown> }, callback: (err: string | null, ok: boolean) => void) =>
          callback(null, req.headers['x-token'] === 'yes'),
      },
    );
    expect(ours).toEqual(theirs);
    expect(ours.refused.status).toBe(403);
    expect(ours.allowed).toEqual({ status: 200, body: 'open packet' });
  });
});

describe('iostate/v4 serveClient, compared with socket.io 4.8', () => {
  const files = ['socket.io.js', 'socket.io.min.js', 'socket.io.esm.min.js', 'socket.io.msgpack.min.js', 'socket.io.min.js.map', 'socket.io.js.map'];
  const shown = ['content-type', 'cache-control', 'etag'];
  it('serves the 4.x bundles with socket.io 4.8 headers', async () => {
    const { ours, theirs } = await differential(async (side) => {
      const answers: Record<string, Answer> = {};
      for (const file of files) answers[file] = await ask(side, 'GET', `/socket.io/${file}`, { 'Accept-Encoding': 'identity' }, shown);
      return answers;
    });
    expect(ours).toEqual(theirs);
    expect(ours['socket.io.min.js'].status).toBe(200);
    expect(ours['socket.io.min.js'].headers['content-type']).toBe('application/javascript; charset=utf-8');
  });

  it('a matching If-None-Match gets 304; serveClient: false serves nothing', async () => {
    const revalidated = await differential(async (side) => {
      const first = await ask(side, 'GET', '/socket.io/socket.io.js', {}, shown);
      return ask(side, 'GET', '/socket.io/socket.io.js', { 'If-None-Match': first.headers.etag ?? '' }, shown);
    });
    expect(revalidated.ours.status).toBe(revalidated.theirs.status);
    expect(revalidated.ours.status).toBe(304);
    // A known difference (docs/migrating-from-socket.io-4.md): socket.io 4.8's 304 has no headers; ours keeps
    // ETag and Cache-Control, as RFC 9110 asks of a 304.
    expect(revalidated.theirs.headers.etag).toBeUndefined();
    expect(revalidated.ours.headers.etag).toMatch(/^"4\.\d+\.\d+"$/);
    const off = await differential((side) => ask(side, 'GET', '/socket.io/socket.io.js', {}, shown), { serveClient: false });
    expect(off.ours.status).toBe(off.theirs.status);
  });
});

/** The Engine.IO handshake's open packet, without its session id. */
function openPacket(port: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: HANDSHAKE }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const { sid: _sid, ...open } = JSON.parse(body.slice(1)) as Record<string, unknown>;
        const cookie = res.headers['set-cookie']?.map((line) => line.replace(/=[^;]+/, '=SID')) ?? null;
        resolve({ ...open, cookie });
      });
    })
      .on('error', reject)
      .end();
  });
}

describe('iostate/v4 engine settings, compared with socket.io 4.8', () => {
  it("engine.io 6's defaults, and attach() options under the constructor's (the constructor's win)", async () => {
    const run = async (Server: typeof IostateV4 | typeof SocketIo4) => {
      const results: Record<string, unknown> = {};
      for (const [label, build] of [
        ['defaults', (http: ReturnType<typeof createServer>) => new Server(http)],
        [
          'attach adds, constructor wins',
          (http: ReturnType<typeof createServer>) => new Server({ pingTimeout: 7000 }).attach(http, { pingTimeout: 9000, pingInterval: 1500, cookie: true }),
        ],
      ] as const) {
        const http = createServer();
        const io = build(http);
        const port = await listen(http);
        onCleanup(async () => {
          await io.close();
          if (http.listening) await closeHttp(http);
        });
        results[label] = await openPacket(port);
      }
      return results;
    };
    const ours = await run(IostateV4);
    const theirs = await run(SocketIo4);
    expect(ours).toEqual(theirs);
    expect(ours.defaults).toEqual({ upgrades: ['websocket'], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1000000, cookie: null });
    expect(ours['attach adds, constructor wins']).toMatchObject({ pingInterval: 1500, pingTimeout: 7000, cookie: ['io=SID; Path=/; HttpOnly; SameSite=Lax'] });
  });
});
