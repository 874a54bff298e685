// close(cb), bind(engine), onconnection(conn) and engine.generateId.
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  adopt,
  clientV2,
  closeHttp,
  createEngineIo3,
  createServer,
  forEachClient,
  freePort,
  listen,
  onCleanup,
  portIsFree,
  startServer,
  itBeyondReference,
  withTimeout,
  type ServerLike,
} from './harness';

function close(io: ServerLike): Promise<void> {
  return withTimeout(new Promise<void>((resolve) => io.close(() => resolve())), 3000, 'close(cb) did not call back');
}

forEachClient((kind) => {
  it('close(cb) disconnects every client, calls back and frees the port (attached http.Server)', async () => {
    const fixture = await startServer();
    const { client } = await fixture.pair(kind);
    const other = await fixture.pair(kind, '/', { transports: ['websocket'] });
    const disconnected = [client.next('disconnect'), other.client.next('disconnect')];
    await close(fixture.io);
    await Promise.all(disconnected);
    expect(await portIsFree(fixture.port)).toBe(true);
  });

  it('close(cb) frees the port of new Server(port): a new server can listen on it', async () => {
    const port = await freePort();
    const io = createServer(port);
    const fixture = adopt(io, createHttpServer(), port);
    const client = await fixture.client(kind).ready();
    const disconnected = client.next('disconnect');
    await close(io);
    await disconnected;
    const next = createHttpServer();
    await listen(next, port);
    await closeHttp(next);
  });

  it('engine.generateId(req) sets the session id the client sees', async () => {
    const fixture = await startServer();
    let counter = 0;
    const requests: IncomingMessage[] = [];
    fixture.io.engine.generateId = (req: IncomingMessage) => {
      requests.push(req);
      return `custom:id:${counter++}`;
    };
    const first = await fixture.pair(kind, '/', { extraHeaders: { 'x-probe': 'generateId' } });
    const second = await fixture.pair(kind);
    expect(first.client.engineId).toBe('custom:id:0');
    expect(second.client.engineId).toBe('custom:id:1');
    expect(first.socket.client.id).toBe('custom:id:0');
    expect(first.socket.conn.id).toBe('custom:id:0');
    expect(requests[0].headers['x-probe']).toBe('generateId');
  });
});

// A standalone engine.io 3 server speaks Engine.IO v3 only: 2.x clients.
describe('bind(engine) and onconnection(conn) with an engine.io 3 server', () => {
  async function standaloneEngine() {
    const httpServer = createHttpServer();
    const engine = createEngineIo3(httpServer, { path: '/socket.io' });
    const port = await listen(httpServer);
    onCleanup(async () => {
      engine.close();
      await closeHttp(httpServer);
    });
    return { engine, port };
  }

  // Namespaces other than `/`: socket.io 2.5 acknowledges `/` through an
  // engine option of its own attach(), so over a bare engine `/` never connects.
  it('bind(engine) serves the connections of that engine', async () => {
    const { engine, port } = await standaloneEngine();
    const io = createServer();
    expect(io.bind(engine)).toBe(io);
    expect(io.engine).toBe(engine);
    const fixture = adopt(io, createHttpServer(), port);
    const { client, socket } = await fixture.pair(clientV2, '/chat');
    socket.on('hello', (fn: (v: string) => void) => fn('bound'));
    expect(await client.ack('hello')).toEqual(['bound']);
  });

  itBeyondReference('bind(engine) acknowledges the main namespace too', async () => {
    const { engine, port } = await standaloneEngine();
    const io = createServer();
    io.bind(engine);
    const fixture = adopt(io, createHttpServer(), port);
    expect((await fixture.client(clientV2, '/').settled()).type).toBe('connected');
  });

  it('onconnection(conn) turns an engine.io socket into a socket.io client', async () => {
    const { engine, port } = await standaloneEngine();
    const io = createServer();
    const returned: unknown[] = [];
    engine.on('connection', (conn: unknown) => returned.push(io.onconnection(conn)));
    const fixture = adopt(io, createHttpServer(), port);
    const { client, socket } = await fixture.pair(clientV2, '/chat');
    expect(returned).toEqual([io]);
    socket.on('hello', (fn: (v: string) => void) => fn('handed over'));
    expect(await client.ack('hello')).toEqual(['handed over']);
  });
});
