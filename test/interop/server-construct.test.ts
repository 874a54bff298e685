// Every documented way to create and attach a Server ends with a working server.
import { createServer as createHttpServer } from 'node:http';
import { expect, it } from 'vitest';
import { adopt, createServer, forEachClient, freePort, listen, type ClientKind, type ServerLike } from './harness';

/** Proves `io` serves clients on `port`: connect and get an answer. */
async function expectServing(io: ServerLike, port: number, kind: ClientKind, path?: string): Promise<void> {
  const fixture = adopt(io, createHttpServer(), port);
  io.on('connection', (socket) => socket.on('ping?', (ack: (v: string) => void) => ack('pong')));
  const client = await fixture.client(kind, '/', { path }).ready();
  expect(await client.ack('ping?')).toEqual(['pong']);
}

forEachClient((kind) => {
  it('new Server(httpServer, options)', async () => {
    const httpServer = createHttpServer();
    const io = createServer(httpServer, { path: '/custom' });
    const port = await listen(httpServer);
    await expectServing(io, port, kind, '/custom');
    httpServer.close();
  });

  it('new Server(port, options) creates and listens on its own http.Server', async () => {
    const port = await freePort();
    const io = createServer(port, { path: '/custom' });
    await expectServing(io, port, kind, '/custom');
  });

  it('new Server(options) then attach(httpServer, engineOptions)', async () => {
    const io = createServer({ path: '/custom' });
    const httpServer = createHttpServer();
    io.attach(httpServer, { pingInterval: 1000 });
    const port = await listen(httpServer);
    await expectServing(io, port, kind, '/custom');
    httpServer.close();
  });

  it('attach(httpServer, { path }) serves on that path', async () => {
    const io = createServer({ serveClient: false });
    const httpServer = createHttpServer();
    io.attach(httpServer, { path: '/attached' });
    const port = await listen(httpServer);
    await expectServing(io, port, kind, '/attached');
    httpServer.close();
  });

  it('new Server(options) then attach(port)', async () => {
    const io = createServer({ serveClient: false });
    const port = await freePort();
    io.attach(port);
    await expectServing(io, port, kind);
  });

  it('listen(httpServer) is attach', async () => {
    const io = createServer();
    const httpServer = createHttpServer();
    expect(io.listen(httpServer)).toBe(io);
    const port = await listen(httpServer);
    await expectServing(io, port, kind);
    httpServer.close();
  });

  it('listen(port) is attach', async () => {
    const io = createServer();
    const port = await freePort();
    io.listen(port, { pingInterval: 1000 });
    await expectServing(io, port, kind);
  });

  it('new Server() with no argument, attached later', async () => {
    const io = createServer();
    const httpServer = createHttpServer();
    io.attach(httpServer);
    const port = await listen(httpServer);
    await expectServing(io, port, kind);
    httpServer.close();
  });
});
