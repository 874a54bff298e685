// The client bundle handler, driven with raw HTTP requests: the 2.x bundle at
// <path>/socket.io.js (as socket.io 2.5.1), the 4.x ones under <path>/v4/.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createClientBundleHandler } from '../../src/static/client-bundle';

const require = createRequire(import.meta.url);
const dist = (name: string, file: string) => readFileSync(require.resolve(`${name}/package.json`).replace(/package\.json$/, `dist/${file}`));
const versionOf = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
const v2Bundle = dist('socket.io-client-v2', 'socket.io.js');
const v4Bundle = dist('socket.io-client', 'socket.io.js');

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
  it("serves <path>/socket.io.js: the socket.io-client 2.x bundle byte for byte, with 2.5.1's headers", async () => {
    const port = await serve('/socket.io');
    const reply = await get(port, '/socket.io/socket.io.js');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/javascript');
    expect(reply.headers['cache-control']).toBe('public, max-age=0');
    expect(Number(reply.headers['content-length'])).toBe(v2Bundle.length);
    expect(reply.body.equals(v2Bundle)).toBe(true);
    expect(reply.body.subarray(0, 40).toString()).toMatch(/Socket\.IO v2\./);
    expect(reply.headers.etag).toBe(`"${versionOf('socket.io-client-v2')}"`);
  });

  it("serves the 4.x bundles under <path>/v4/, with socket.io 4's headers", async () => {
    const port = await serve('/socket.io');
    const reply = await get(port, '/socket.io/v4/socket.io.js');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(reply.body.equals(v4Bundle)).toBe(true);
    expect(reply.headers.etag).toBe(`"${versionOf('socket.io-client')}"`);
    // Its relative sourceMappingURL resolves next to it.
    expect(reply.body.toString().trimEnd().endsWith('//# sourceMappingURL=socket.io.js.map')).toBe(true);
    for (const file of ['socket.io.js.map', 'socket.io.min.js', 'socket.io.min.js.map', 'socket.io.esm.min.js', 'socket.io.esm.min.js.map']) {
      const other = await get(port, `/socket.io/v4/${file}`);
      expect(other.status, file).toBe(200);
      expect(other.body.equals(dist('socket.io-client', file)), file).toBe(true);
    }
  });

  it('answers 304 with no body to a matching If-None-Match (also in a list or weak), 200 otherwise', async () => {
    const port = await serve('/socket.io');
    for (const path of ['/socket.io/socket.io.js', '/socket.io/v4/socket.io.js']) {
      const { headers } = await get(port, path);
      const etag = headers.etag as string;
      for (const header of [etag, `"other", ${etag}`, `W/${etag}`, '*']) {
        const again = await get(port, path, { 'if-none-match': header });
        expect(again.status, header).toBe(304);
        expect(again.body.length).toBe(0);
        expect(again.headers.etag).toBe(etag);
      }
      expect((await get(port, path, { 'if-none-match': '"stale"' })).status).toBe(200);
    }
  });

  it('serves the 2.x source map as JSON', async () => {
    const port = await serve('/socket.io');
    const map = await get(port, '/socket.io/socket.io.js.map');
    expect(map.status).toBe(200);
    expect(map.headers['content-type']).toBe('application/json');
    expect(map.body.equals(dist('socket.io-client-v2', 'socket.io.js.map'))).toBe(true);
    expect(JSON.parse(map.body.toString()).version).toBe(3);
  });

  it('ignores the query string and answers HEAD without a body', async () => {
    const port = await serve('/socket.io');
    expect((await get(port, '/socket.io/socket.io.js?v=2.5')).status).toBe(200);
    const head = await get(port, '/socket.io/socket.io.js', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  it('follows a custom path, with or without a trailing slash', async () => {
    for (const path of ['/custom', '/custom/']) {
      const port = await serve(path);
      expect((await get(port, '/custom/socket.io.js')).status).toBe(200);
      expect((await get(port, '/custom/v4/socket.io.js')).status).toBe(200);
      expect((await get(port, '/socket.io/socket.io.js')).status).toBe(418);
    }
  });

  it('returns false for everything else: other files, other paths, other methods', async () => {
    const port = await serve('/socket.io');
    const others = [
      ['GET', '/socket.io/?EIO=4&transport=polling'],
      ['GET', '/socket.io/other.js'],
      // socket.io 2.5.1 serves no minified file at the top level, and no msgpack bundle anywhere.
      ['GET', '/socket.io/socket.io.min.js'],
      ['GET', '/socket.io/v4/socket.io.msgpack.min.js'],
      ['GET', '/socket.io/v4/../socket.io.js.map'],
      ['GET', '/socket.io.js'],
      ['POST', '/socket.io/socket.io.js'],
    ];
    for (const [method, path] of others) expect((await get(port, path!, {}, method)).status, path).toBe(418);
    expect(passedOn).toEqual(others.map(([method, path]) => `${method} ${path}`));
  });

  it('concurrent first requests all get the whole file and one ETag', async () => {
    const port = await serve('/socket.io');
    const replies = await Promise.all([0, 1, 2, 3, 4].map(() => get(port, '/socket.io/socket.io.js')));
    const etags = new Set(replies.map((reply) => reply.headers.etag));
    expect(etags.size).toBe(1);
    for (const reply of replies) expect(reply.body.equals(v2Bundle)).toBe(true);
  });
});
