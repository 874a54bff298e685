// Middleware: namespace use(fn) for every incoming socket, socket use(fn) for
// every incoming packet; their errors reach the client as error packets.
import { describe, expect, it } from 'vitest';
import { clientV4, forEachClient, isReference, nextEvent, sleep, startServer, withTimeout, type SocketLike } from './harness';

forEachClient((kind) => {
  it('io.use runs in order before "connection", with the handshake available', async () => {
    const fixture = await startServer();
    const steps: string[] = [];
    fixture.io.use((socket, next) => {
      steps.push(`first:${socket.handshake.query.token}`);
      setTimeout(() => next(), 5);
    });
    fixture.io.use((socket, next) => {
      steps.push(`second:${socket.id in fixture.io.sockets.connected}`);
      next();
    });
    fixture.io.on('connection', () => steps.push('connection'));
    await fixture.pair(kind, '/', { query: { token: 't' } });
    expect(steps).toEqual(['first:t', 'second:false', 'connection']);
  });

  it('a namespace middleware error refuses the socket with its message', async () => {
    const fixture = await startServer();
    let connections = 0;
    fixture.io.of('/private').use((_socket, next) => next(new Error('Authentication error')));
    fixture.io.of('/private').on('connection', () => connections++);
    const outcome = await fixture.client(kind, '/private').settled();
    expect(outcome).toMatchObject({ type: 'refused', message: 'Authentication error' });
    expect(connections).toBe(0);
    expect(Object.keys(fixture.io.of('/private').connected)).toEqual([]);
  });

  it('err.data reaches the client (4.x also gets err.message)', async () => {
    const fixture = await startServer();
    fixture.io.use((_socket, next) => {
      const err = new Error('not authorized') as Error & { data: unknown };
      err.data = { content: 'Please retry later' };
      next(err);
    });
    const outcome = await fixture.client(kind, '/').settled();
    expect(outcome).toMatchObject({ type: 'refused', data: { content: 'Please retry later' } });
    if (kind.generation === 4) expect(outcome).toMatchObject({ message: 'not authorized' });
  });

  it('a middleware on one namespace does not affect another', async () => {
    const fixture = await startServer();
    fixture.io.of('/closed').use((_socket, next) => next(new Error('closed')));
    fixture.io.of('/open');
    expect((await fixture.client(kind, '/open').settled()).type).toBe('connected');
  });

  it('credentials reach the middleware (2.x: query, 4.x: auth)', async () => {
    const fixture = await startServer();
    fixture.io.of('/secure').use((socket, next) => {
      const credentials = kind.generation === 2 ? socket.handshake.query : socket.handshake.auth;
      next(credentials?.token === 'letmein' ? null : new Error('bad token'));
    });
    expect((await fixture.client(kind, '/secure', { auth: { token: 'letmein' } }).settled()).type).toBe('connected');
    expect(await fixture.client(kind, '/secure', { auth: { token: 'nope' } }).settled()).toMatchObject({ type: 'refused', message: 'bad token' });
  });

  it('socket.use sees every incoming packet as [event, ...args] and can pass it on', async () => {
    const fixture = await startServer();
    const { client, socket } = await fixture.pair(kind);
    const packets: unknown[][] = [];
    expect(
      socket.use((packet, next) => {
        packets.push([...packet]);
        next();
      }),
    ).toBe(socket);
    const handled = nextEvent(socket, 'doge');
    client.emit('doge', { wow: true }, 2);
    expect(await handled).toEqual([{ wow: true }, 2]);
    expect(packets).toEqual([['doge', { wow: true }, 2]]);
  });

  // Socket.IO v5 has no error packet for a connected socket (CONNECT_ERROR would
  // make socket.io-client 4.x drop its socket while the server keeps it), so for
  // 4.x clients the error is emitted on the server socket instead, as socket.io 3+ does.
  it(`a socket.use error stops the packet; ${kind.generation === 2 ? 'the client gets an error packet' : 'the server socket emits "error"'}`, async () => {
    const fixture = await startServer();
    const { client, socket } = await fixture.pair(kind);
    socket.use((packet, next) => {
      if (packet[0] !== 'bark' || (packet[1] as { doge?: boolean } | undefined)?.doge === true) return next();
      next(new Error('Not a doge error'));
    });
    let handled = 0;
    socket.on('bark', () => handled++);
    if (kind.generation === 2) {
      const errorPacket = client.nextErrorPacket();
      client.emit('bark', { doge: false });
      expect(await errorPacket).toMatchObject({ message: 'Not a doge error' });
    } else {
      const serverError = nextEvent(socket, 'error');
      client.emit('bark', { doge: false });
      expect(((await serverError)[0] as Error).message).toBe('Not a doge error');
    }
    socket.on('still?', (fn: (v: boolean) => void) => fn(true));
    expect(await client.ack('still?')).toEqual([true]);
    expect(handled).toBe(0);
  });

  it('socket.use middlewares run in order and may modify the packet', async () => {
    const fixture = await startServer();
    const { client, socket } = await fixture.pair(kind);
    socket.use((packet, next) => {
      packet.push('first');
      next();
    });
    socket.use((packet, next) => {
      packet.push('second');
      next();
    });
    const handled = nextEvent(socket, 'ev');
    client.emit('ev', 0);
    expect(await handled).toEqual([0, 'first', 'second']);
  });

  it('a namespace middleware sees each socket of a 2.x/4.x client for its own namespace only', async () => {
    const fixture = await startServer();
    const seen: string[] = [];
    fixture.io.of('/a').use((socket: SocketLike, next) => {
      seen.push(socket.nsp.name);
      next();
    });
    await fixture.pair(kind, '/b');
    await fixture.pair(kind, '/a');
    expect(seen).toEqual(['/a']);
  });
});

describe.skipIf(isReference)('middleware timing (iostate: connectTimeout also bounds namespace middlewares)', () => {
  it('a next() that comes after connectTimeout refused the socket connects nothing', async () => {
    const fixture = await startServer({ connectTimeout: 100 });
    let late: (() => void) | undefined;
    fixture.io.of('/slow').use((_socket, next) => {
      late = next;
    });
    const connections: string[] = [];
    fixture.io.of('/slow').on('connection', (socket: SocketLike) => connections.push(socket.id));
    const outcome = await fixture.client(clientV4, '/slow').settled();
    expect(outcome.type).toBe('refused');
    late!();
    await sleep(20);
    expect(connections).toEqual([]);
    expect(Object.keys(fixture.io.of('/slow').connected)).toEqual([]);
  });

  it('after a middleware refused synchronously, the same connection may connect to that namespace again', async () => {
    const fixture = await startServer();
    let attempts = 0;
    fixture.io.of('/retry').use((_socket, next) => next(++attempts === 1 ? new Error('not yet') : undefined));
    // A socket on `/` keeps the connection open across the refusal (a Manager with no socket left closes it).
    const main = fixture.client(clientV4, '/');
    expect((await main.settled()).type).toBe('connected');
    const connection = main.engineId;
    // io.socket() sends the CONNECT itself (autoConnect): a connect() here would send a second one.
    const retry = main.raw.io.socket('/retry');
    const refused = new Promise((resolve) => retry.once('connect_error', resolve));
    expect(((await withTimeout(refused, 2000, 'no refusal')) as Error).message).toBe('not yet');
    const connected = new Promise((resolve) => retry.once('connect', resolve));
    retry.connect();
    await withTimeout(connected, 2000, 'the second CONNECT was ignored');
    expect(attempts).toBe(2);
    expect(main.engineId).toBe(connection);
    retry.disconnect();
  });
});
