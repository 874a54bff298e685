// Namespaces: of(string | RegExp | function), name, connected, connect events,
// unknown namespaces, and the 2.x habit of joining `/` implicitly.
import { expect, it } from 'vitest';
import { forEachClient, nextEvent, startServer, type SocketLike } from './harness';

forEachClient((kind) => {
  it('of(name) creates the namespace once and returns the same instance; io.sockets is of("/")', async () => {
    const fixture = await startServer();
    const admin = fixture.io.of('/admin');
    expect(admin.name).toBe('/admin');
    expect(fixture.io.of('/admin')).toBe(admin);
    expect(fixture.io.sockets).toBe(fixture.io.of('/'));
    expect(fixture.io.sockets.name).toBe('/');
  });

  it('of(name) without a leading slash names the same namespace', async () => {
    const fixture = await startServer();
    const chat = fixture.io.of('chat');
    expect(chat.name).toBe('/chat');
    expect(fixture.io.of('/chat')).toBe(chat);
    expect((await fixture.client(kind, '/chat').settled()).type).toBe('connected');
  });

  it('both "connect" and "connection" fire with the socket; socket.nsp is the namespace', async () => {
    const fixture = await startServer();
    const admin = fixture.io.of('/admin');
    const viaConnect = nextEvent(admin, 'connect');
    const viaConnection = nextEvent(admin, 'connection');
    const { socket } = await fixture.pair(kind, '/admin');
    const [[first], [second]] = await Promise.all([viaConnect, viaConnection]);
    expect(first).toBe(socket);
    expect(second).toBe(socket);
    expect(socket.nsp).toBe(admin);
  });

  it('namespace.connected is keyed by socket id and forgets disconnected sockets', async () => {
    const fixture = await startServer();
    const { client, socket } = await fixture.pair(kind, '/admin');
    expect(fixture.io.of('/admin').connected[socket.id]).toBe(socket);
    const gone = nextEvent(socket, 'disconnect');
    client.disconnect();
    await gone;
    expect(fixture.io.of('/admin').connected[socket.id]).toBeUndefined();
  });

  it('an unknown namespace is refused with "Invalid namespace"; the connection stays usable', async () => {
    const fixture = await startServer();
    const { client } = await fixture.pair(kind);
    const outcome = await client.sibling('/nowhere').settled();
    expect(outcome.type).toBe('refused');
    expect(outcome.type === 'refused' && (outcome.message ?? outcome.data)).toBe('Invalid namespace');
    fixture.io.sockets.connected[client.id!].on('still?', (fn: (v: boolean) => void) => fn(true));
    expect(await client.ack('still?')).toEqual([true]);
  });

  it(`${kind.autoJoinsRoot ? 'joins' : 'does not join'} the main namespace when asking only for another`, async () => {
    const fixture = await startServer();
    const rootConnections: SocketLike[] = [];
    fixture.io.on('connection', (socket: SocketLike) => rootConnections.push(socket));
    const { client } = await fixture.pair(kind, '/chat');
    const probe = await fixture.pair(kind, '/');
    expect(rootConnections.map((s) => s.id)).toEqual(kind.autoJoinsRoot ? [client.engineId, probe.socket.id] : [probe.socket.id]);
  });

  it('of(RegExp) creates a child namespace per matching name, with the parent handlers', async () => {
    const fixture = await startServer();
    const dynamic = fixture.io.of(/^\/dynamic-\d+$/);
    const connected: SocketLike[] = [];
    dynamic.on('connect', (socket: SocketLike) => {
      connected.push(socket);
      socket.nsp.emit('hello', socket.nsp.name);
    });
    const client = fixture.client(kind, '/dynamic-101');
    const greeting = client.next('hello');
    await client.ready();
    expect(await greeting).toEqual(['/dynamic-101']);
    expect(connected[0].nsp.name).toBe('/dynamic-101');
    expect(fixture.io.of('/dynamic-101')).toBe(connected[0].nsp);
    expect(connected[0].nsp).not.toBe(dynamic);

    const refused = await fixture.client(kind, '/dynamic-abc').settled();
    expect(refused.type).toBe('refused');
  });

  it('parent.emit reaches every child namespace; parent.use runs for every child', async () => {
    const fixture = await startServer();
    const dynamic = fixture.io.of(/^\/dynamic-\d+$/);
    const seenByMiddleware: string[] = [];
    dynamic.use((socket, next) => {
      seenByMiddleware.push(socket.nsp.name);
      next();
    });
    const one = await fixture.client(kind, '/dynamic-1').ready();
    const two = await fixture.client(kind, '/dynamic-2').ready();
    const received = [one.next('all'), two.next('all')];
    dynamic.emit('all', 'children');
    expect(await Promise.all(received)).toEqual([['children'], ['children']]);
    expect(seenByMiddleware.sort()).toEqual(['/dynamic-1', '/dynamic-2']);
  });

  // The second argument is the CONNECT query (2.x) or the auth payload (4.x): the harness sends `auth` as either.
  it('of(function(name, query, next)) decides per name and query', async () => {
    const fixture = await startServer();
    const asked: Array<[string, unknown]> = [];
    fixture.io
      .of((name, query, next) => {
        asked.push([name, query.token]);
        next(null, query.token === 'good');
      })
      .on('connect', (socket: SocketLike) => socket.emit('welcome', socket.nsp.name));
    const accepted = fixture.client(kind, '/tenant-a', { auth: { token: 'good' } });
    const welcome = accepted.next('welcome');
    expect((await accepted.settled()).type).toBe('connected');
    expect(await welcome).toEqual(['/tenant-a']);
    const refused = await fixture.client(kind, '/tenant-b', { auth: { token: 'bad' } }).settled();
    expect(refused.type).toBe('refused');
    expect(asked).toEqual([
      ['/tenant-a', 'good'],
      ['/tenant-b', 'bad'],
    ]);
  });
});
