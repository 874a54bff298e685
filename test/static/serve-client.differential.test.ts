// The client bundle, iostate against socket.io 2.5.1: the same requests to
// both servers, side by side, get the same status and the same headers that
// a browser and a cache act on; the bytes are those of the socket.io-client
// that socket.io 2.5.1 depends on (and names in its ETag).
//
// Why not the reference's bytes: socket.io 2.5.1 reads the bundle from
// `<its folder>/../../socket.io-client/dist/`, where npm puts it next to
// `node_modules/socket.io` in a 2.x app. Installed here under an alias
// (`node_modules/socket.io-v2`), that path is the 4.x client that iostate's
// own tests use, which the reference then serves under ETag "2.5.0".
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import SocketIoV2 from 'socket.io-v2';
import { Server } from '../../src/actors/server';
import { httpGet, type RawResponse } from '../interop/harness/raw-http';

const requireFromV2 = createRequire(createRequire(import.meta.url).resolve('socket.io-v2'));
const v2Client = join(dirname(requireFromV2.resolve('socket.io-client/package.json')), 'dist');
/** A file of the socket.io-client that socket.io 2.5.1 depends on. */
const referenceFile = (file: string) => readFileSync(join(v2Client, file));

interface Closeable {
  close(fn?: () => void): void;
}

const opened: Closeable[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((io) => new Promise<void>((resolve) => io.close(() => resolve()))));
});

async function listening(attach: (http: HttpServer) => Closeable): Promise<number> {
  // Requests that reach the application get 404, as an app with no routes would answer.
  const http = createHttpServer((_req, res) => res.writeHead(404).end());
  opened.push(attach(http));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return (http.address() as AddressInfo).port;
}

/** The reference and iostate, each on its own port, with the same options. */
async function bothServers(options: Record<string, unknown> = {}): Promise<{ reference: number; iostate: number }> {
  const reference = await listening((http) => new SocketIoV2(http, options) as Closeable);
  const iostate = await listening((http) => new Server(http, options));
  return { reference, iostate };
}

/** What a browser and a cache act on. */
function visible(reply: RawResponse) {
  return {
    status: reply.status,
    contentType: reply.headers['content-type'],
    etag: reply.headers.etag,
    cacheControl: reply.headers['cache-control'],
  };
}

describe('serving the client: iostate = socket.io 2.5.1', () => {
  it('<path>/socket.io.js: the same 2.x bundle, Content-Type, ETag and Cache-Control', async () => {
    const { reference, iostate } = await bothServers();
    const expected = visible(await httpGet(reference, '/socket.io/socket.io.js'));
    expect(expected.status).toBe(200);
    expect(expected.etag).toBe(`"${requireFromV2('socket.io-client/package.json').version}"`);
    const served = await httpGet(iostate, '/socket.io/socket.io.js');
    expect(visible(served)).toEqual(expected);
    expect(served.body.equals(referenceFile('socket.io.js'))).toBe(true);
    expect(served.body.subarray(0, 40).toString()).toMatch(/Socket\.IO v2\./);
  });

  it('304 with no body on the ETag the page cached; 200 and the bundle on a stale one', async () => {
    const { reference, iostate } = await bothServers();
    const { etag } = (await httpGet(reference, '/socket.io/socket.io.js')).headers;
    for (const port of [reference, iostate]) {
      const cached = await httpGet(port, '/socket.io/socket.io.js', { 'if-none-match': etag as string });
      expect(cached.status).toBe(304);
      expect(cached.body.length).toBe(0);
      const stale = await httpGet(port, '/socket.io/socket.io.js', { 'if-none-match': '"1.7.4"' });
      expect(stale.status).toBe(200);
    }
    const fresh = await httpGet(iostate, '/socket.io/socket.io.js', { 'if-none-match': '"1.7.4"' });
    expect(visible(fresh)).toEqual(visible(await httpGet(reference, '/socket.io/socket.io.js', { 'if-none-match': '"1.7.4"' })));
    expect(fresh.body.equals(referenceFile('socket.io.js'))).toBe(true);
  });

  it('<path>/socket.io.js.map: the same source map, as JSON, with the same ETag', async () => {
    const { reference, iostate } = await bothServers();
    const expected = visible(await httpGet(reference, '/socket.io/socket.io.js.map'));
    expect(expected.status).toBe(200);
    const served = await httpGet(iostate, '/socket.io/socket.io.js.map');
    expect(visible(served)).toEqual(expected);
    expect(served.body.equals(referenceFile('socket.io.js.map'))).toBe(true);
    const { etag } = (await httpGet(reference, '/socket.io/socket.io.js.map')).headers;
    for (const port of [reference, iostate]) {
      expect((await httpGet(port, '/socket.io/socket.io.js.map', { 'if-none-match': etag as string })).status).toBe(304);
    }
  });

  it('under a custom path, and with a query string (cache busting)', async () => {
    const { reference, iostate } = await bothServers({ path: '/rt' });
    for (const path of ['/rt/socket.io.js', '/rt/socket.io.js?v=3']) {
      const expected = visible(await httpGet(reference, path));
      expect(expected.status, path).toBe(200);
      expect(visible(await httpGet(iostate, path)), path).toEqual(expected);
    }
  });

  it("files socket.io 2.5.1 does not serve: the same refusal (the engine's 400 under <path>, the app's 404 elsewhere)", async () => {
    const { reference, iostate } = await bothServers();
    for (const path of ['/socket.io/socket.io.min.js', '/socket.io/socket.io.slim.js', '/socket.io.js']) {
      const expected = await httpGet(reference, path);
      expect(expected.status, path).not.toBe(200);
      expect((await httpGet(iostate, path)).status, path).toBe(expected.status);
    }
  });

  it('serveClient: false serves nothing, on both', async () => {
    const { reference, iostate } = await bothServers({ serveClient: false });
    const expected = await httpGet(reference, '/socket.io/socket.io.js');
    expect(expected.status).not.toBe(200);
    expect((await httpGet(iostate, '/socket.io/socket.io.js')).status).toBe(expected.status);
  });
});
