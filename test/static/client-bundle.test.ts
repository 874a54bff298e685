// The client bundle handler, driven with raw HTTP requests.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createClientBundleHandler } from '../../src/static/client-bundle';

const bundlePath = createRequire(import.meta.url).resolve('socket.io-client/dist/socket.io.js');
const bundle = readFileSync(bundlePath);

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const servers: Server[] = [];
let passedOn: string[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  passedOn = [];
});

async function serve(path: string): Promise<number> {
  const handle = createClientBundleHandler(path);
  const server = createServer((req, res) => {
    if (handle(req, res)) return;
    passedOn.push(`${req.method} ${req.url}`);
    res.writeHead(418).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('createClientBundleHandler', () => {
  it('serves <path>/socket.io.js: the 4.x bundle byte for byte, as JavaScript, with ETag and Cache-Control', async () => {
    const port = await serve('/socket.io');
    const reply = await get(port, '/socket.io/socket.io.js');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(reply.headers['cache-control']).toMatch(/max-age=0/);
    expect(Number(reply.headers['content-length'])).toBe(bundle.length);
    expect(reply.body.equals(bundle)).toBe(true);
    expect(reply.headers.etag).toBe(`"${createHash('sha1').update(bundle).digest('base64url')}"`);
  });

  it('answers 304 with no body to a matching If-None-Match (also in a list or weak), 200 otherwise', async () => {
    const port = await serve('/socket.io');
    const { headers } = await get(port, '/socket.io/socket.io.js');
    const etag = headers.etag as string;
    for (const header of [etag, `"other", ${etag}`, `W/${etag}`, '*']) {
      const again = await get(port, '/socket.io/socket.io.js', { 'if-none-match': header });
      expect(again.status, header).toBe(304);
      expect(again.body.length).toBe(0);
      expect(again.headers.etag).toBe(etag);
    }
    expect((await get(port, '/socket.io/socket.io.js', { 'if-none-match': '"stale"' })).status).toBe(200);
  });

  it('serves the source map as JSON, and the minified bundle with its map', async () => {
    const port = await serve('/socket.io');
    const map = await get(port, '/socket.io/socket.io.js.map');
    expect(map.status).toBe(200);
    expect(map.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(map.body.toString()).version).toBe(3);
    const min = await get(port, '/socket.io/socket.io.min.js');
    expect(min.status).toBe(200);
    expect(min.body.length).toBeLessThan(bundle.length);
    expect((await get(port, '/socket.io/socket.io.min.js.map')).status).toBe(200);
  });

  it('ignores the query string and answers HEAD without a body', async () => {
    const port = await serve('/socket.io');
    expect((await get(port, '/socket.io/socket.io.js?v=4.8')).status).toBe(200);
    const head = await get(port, '/socket.io/socket.io.js', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  it('follows a custom path, with or without a trailing slash', async () => {
    for (const path of ['/custom', '/custom/']) {
      const port = await serve(path);
      expect((await get(port, '/custom/socket.io.js')).status).toBe(200);
      expect((await get(port, '/socket.io/socket.io.js')).status).toBe(418);
    }
  });

  it('returns false for everything else: other files, other paths, other methods', async () => {
    const port = await serve('/socket.io');
    expect((await get(port, '/socket.io/?EIO=4&transport=polling')).status).toBe(418);
    expect((await get(port, '/socket.io/other.js')).status).toBe(418);
    expect((await get(port, '/socket.io.js')).status).toBe(418);
    expect((await get(port, '/socket.io/socket.io.js', {}, 'POST')).status).toBe(418);
    expect(passedOn).toEqual(['GET /socket.io/?EIO=4&transport=polling', 'GET /socket.io/other.js', 'GET /socket.io.js', 'POST /socket.io/socket.io.js']);
  });

  it('concurrent first requests all get the whole file and one ETag', async () => {
    const port = await serve('/socket.io');
    const replies = await Promise.all([0, 1, 2, 3, 4].map(() => get(port, '/socket.io/socket.io.js')));
    const etags = new Set(replies.map((reply) => reply.headers.etag));
    expect(etags.size).toBe(1);
    for (const reply of replies) expect(reply.body.equals(bundle)).toBe(true);
  });
});
