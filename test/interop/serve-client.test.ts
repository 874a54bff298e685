// serveClient: the browser bundle at <path>/socket.io.js and its source map,
// with ETag and caching headers; off when serveClient is false.
import { createServer as createHttpServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { adopt, createServer, listen, startServer } from './harness';
import { httpGet } from './harness/raw-http';

describe('serveClient', () => {
  it('serveClient() is true by default; serveClient(false) returns the server and is read back', async () => {
    const io = createServer();
    expect(io.serveClient()).toBe(true);
    expect(io.serveClient(false)).toBe(io);
    expect(io.serveClient()).toBe(false);
  });

  it('serves <path>/socket.io.js as JavaScript with an ETag, and 304 on If-None-Match', async () => {
    const fixture = await startServer();
    const first = await httpGet(fixture.port, '/socket.io/socket.io.js');
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/^application\/javascript/);
    expect(first.headers['cache-control']).toBeDefined();
    expect(first.body.toString()).toMatch(/io/);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^(W\/)?".+"$/);

    const again = await httpGet(fixture.port, '/socket.io/socket.io.js', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('serves the source map at <path>/socket.io.js.map as JSON', async () => {
    const fixture = await startServer();
    const map = await httpGet(fixture.port, '/socket.io/socket.io.js.map');
    expect(map.status).toBe(200);
    expect(map.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(map.body.toString()).version).toBe(3);
  });

  it('follows a custom path', async () => {
    const fixture = await startServer({ path: '/custom' });
    expect((await httpGet(fixture.port, '/custom/socket.io.js')).status).toBe(200);
  });

  it('serves nothing with the option serveClient: false', async () => {
    const fixture = await startServer({ serveClient: false });
    expect((await httpGet(fixture.port, '/socket.io/socket.io.js')).status).not.toBe(200);
  });

  it('serves nothing after serveClient(false) called before attach', async () => {
    const io = createServer();
    io.serveClient(false);
    const httpServer = createHttpServer();
    io.attach(httpServer);
    const fixture = adopt(io, httpServer, await listen(httpServer));
    expect((await httpGet(fixture.port, '/socket.io/socket.io.js')).status).not.toBe(200);
  });

  it('serveClient(false) has no effect after attach', async () => {
    const fixture = await startServer();
    fixture.io.serveClient(false);
    expect((await httpGet(fixture.port, '/socket.io/socket.io.js')).status).toBe(200);
  });

  it('leaves other requests to the application handlers of the http.Server', async () => {
    const httpServer = createHttpServer((_req, res) => res.end('app'));
    const io = createServer(httpServer);
    const fixture = adopt(io, httpServer, await listen(httpServer));
    const page = await httpGet(fixture.port, '/index.html');
    expect(page.status).toBe(200);
    expect(page.body.toString()).toBe('app');
  });
});
