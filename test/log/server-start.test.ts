/**
 * `server.start` in the log: once in a server's life, whether it is attached
 * to an http.Server, bound to an engine.io server with `bind(engine)` alone,
 * or both. A second start would tell every reader, replay included, that the
 * node restarted and lost its connections.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { io as connectV4 } from 'socket.io-client';
import { Server } from '../../src/actors/server';
import { engineIo3, engineIo6 } from '../interop/harness/foreign-engines';
import type { EngineServer } from '../../src/transport/engine-server';
import { replay } from '../../src/log/replay';
import { projectionsView } from '../../src/log/projections';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function newServer(): Server {
  const io = new Server({ serveClient: false });
  cleanups.push(() => new Promise<void>((resolve) => io.close(() => resolve())));
  return io;
}

const starts = (io: Server) => io.log.events().filter((event) => event.type === 'server.start');

describe('server.start', () => {
  it('bind(engine) alone records it once, with the bound engine.io 3 server’s settings', () => {
    const io = newServer();
    io.bind(new engineIo3.Server({ pingInterval: 1234, pingTimeout: 567 }) as EngineServer);
    expect(starts(io)).toHaveLength(1);
    expect(starts(io)[0]).toMatchObject({ path: '/socket.io', settings: { pingInterval: 1234, pingTimeout: 567, transports: ['polling', 'websocket'] } });
  });

  it('bind(engine) alone records it once, with the bound engine.io 6 server’s settings', () => {
    const io = newServer();
    const engine = new engineIo6.Server({ pingInterval: 2345, maxHttpBufferSize: 1000 });
    cleanups.push(() => engine.close());
    io.bind(engine as EngineServer);
    expect(starts(io)).toHaveLength(1);
    expect(starts(io)[0]).toMatchObject({ settings: { pingInterval: 2345, maxHttpBufferSize: 1000 } });
  });

  it('attach after bind(engine), and a second attach, record no second start', () => {
    const io = newServer();
    io.bind(new engineIo3.Server() as EngineServer);
    io.attach(http.createServer());
    io.attach(http.createServer());
    expect(starts(io)).toHaveLength(1);
  });

  it('new Server(httpServer) records it once, with its own engine’s settings', () => {
    const io = new Server(http.createServer(), { serveClient: false, pingInterval: 3456 });
    cleanups.push(() => new Promise<void>((resolve) => io.close(() => resolve())));
    expect(starts(io)).toHaveLength(1);
    expect(starts(io)[0]).toMatchObject({ settings: { pingInterval: 3456, connectTimeout: 45_000 } });
  });

  it('a socket connected through a bound engine is still connected when the log is replayed', async () => {
    const httpServer = http.createServer();
    const engine = engineIo6.attach(httpServer, { path: '/socket.io' });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => httpServer.close(() => resolve())));
    cleanups.push(() => engine.close());
    const io = newServer();
    io.bind(engine as EngineServer);
    const connected = new Promise<string>((resolve) => io.of('/chat').on('connection', (socket) => resolve(socket.id)));
    const client = connectV4(`http://127.0.0.1:${(httpServer.address() as { port: number }).port}/chat`, { transports: ['websocket'] });
    cleanups.push(() => void client.close());
    const socketId = await connected;

    expect(starts(io)).toHaveLength(1);
    expect(projectionsView(replay(io.log.events()).state).sessions.socket('/chat', socketId)?.status).toBe('connected');
  });
});
