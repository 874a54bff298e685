// Two and three iostate nodes in this process on a real Redis: broadcasts,
// cluster-wide listings from the shared log, remote socket operations,
// request time-outs that name the silent nodes, option errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import * as msgpack from 'notepack.io';
import { redisAdapter } from '../../src/redis';
import { skipWithoutRedis, startRedis, type TestRedis } from './redis-server';
import { clientsOf, collect, connect, type IostateNode, serverId, sleep, startIostateNode, type TestSocket, useRedisCluster, waitFor } from './cluster-harness';

describe.skipIf(skipWithoutRedis('redis adapter'))('redis adapter between iostate nodes', () => {
  const onRedis = useRedisCluster();
  const { nodes, clients } = onRedis;

  async function cluster(count: number): Promise<IostateNode[]> {
    const started = await Promise.all(Array.from({ length: count }, (_, i) => startIostateNode(`node-${i}`, { url: onRedis.redis.url })));
    nodes.push(...started);
    return started;
  }

  async function client(generation: 2 | 4, node: IostateNode, nsp = '/'): Promise<TestSocket> {
    const socket = await connect(generation, node.port, nsp);
    clients.push(socket);
    return socket;
  }

  function join(node: IostateNode, socket: TestSocket, ...rooms: string[]): void {
    node.io.of('/').connected[serverId(socket)]!.join(rooms);
  }

  /**
   * A marker broadcast by every node, after which every earlier broadcast has
   * arrived: order holds per sending node only.
   */
  async function settle(all: TestSocket[], senders: IostateNode[]): Promise<void> {
    const markers = all.map(
      (socket) =>
        new Promise<void>((resolve) => {
          let seen = 0;
          socket.on('marker', () => {
            if (++seen === senders.length) resolve();
          });
        }),
    );
    for (const node of senders) node.io.emit('marker');
    await Promise.all(markers);
  }

  it('room broadcasts reach exactly the members on every node, once, for both client generations', async () => {
    const [a, b] = await cluster(2);
    const [a2, a4, b2, b4] = [await client(2, a), await client(4, a), await client(2, b), await client(4, b)];
    join(a, a2, 'red');
    join(b, b4, 'red', 'blue');
    join(a, a4, 'blue');
    await waitFor('joins to reach both logs', async () => (await clientsOf(b, 'red')).length === 2 && (await clientsOf(a, 'blue')).length === 2);
    const got = [a2, a4, b2, b4].map((socket) => collect(socket, 'news'));
    a.io.to('red').emit('news', 'red from a');
    b.io.to('blue').emit('news', 'blue from b');
    a.io.to('red').to('blue').emit('news', 'union');
    await settle([a2, a4, b2, b4], [a, b]);
    // Order holds per sender only: a remote broadcast may arrive after a later local one.
    const sorted = got.map((list) => list.map((args) => String(args[0])).sort());
    expect(sorted).toEqual([['red from a', 'union'], ['blue from b', 'union'], [], ['blue from b', 'red from a', 'union']]);
  });

  it("a 2.x socket's broadcast leaves out that socket alone on every node: one that joined a room named after its id gets it", async () => {
    const [a, b] = await cluster(2);
    const [sender, onA, onB] = [await client(2, a), await client(4, a), await client(4, b)];
    const senderId = serverId(sender);
    join(a, onA, senderId);
    join(b, onB, senderId);
    await waitFor('joins to reach both logs', async () => (await clientsOf(a, senderId)).length === 3);
    const got = [sender, onA, onB].map((socket) => collect(socket, 'news'));
    a.io.of('/').connected[senderId]!.broadcast.emit('news', 'from the sender');
    await settle([sender, onA, onB], [a, b]);
    expect(got.map((list) => list.map(([value]) => String(value)))).toEqual([[], ['from the sender'], ['from the sender']]);
  });

  it('long room names of one length that differ in the last character stay different rooms across nodes', async () => {
    // Past 16,383 characters the nodes key them by digest (room-keys.ts); Redis carries the names themselves.
    const [long1, long2] = ['1', '2'].map((last) => `${'r'.repeat(20_000)}${last}`);
    const end = (name: string) => `${name.length}:${name.slice(-4)}`;
    const [a, b] = await cluster(2);
    const [a4, b2, b4] = [await client(4, a), await client(2, b), await client(4, b)];
    join(a, a4, long1);
    join(b, b2, long2);
    join(b, b4, long1, long2);
    await waitFor('joins to reach both logs', async () => (await clientsOf(a, long2)).length === 2 && (await clientsOf(b, long1)).length === 2);
    const got = [a4, b2, b4].map((socket) => collect(socket, 'news'));
    a.io.to(long2).emit('news', 'to 2 from a');
    b.io.to(long1).emit('news', 'to 1 from b');
    await settle([a4, b2, b4], [a, b]);
    expect(got.map((list) => list.map(([value]) => String(value)).sort())).toEqual([['to 1 from b'], ['to 2 from a'], ['to 1 from b', 'to 2 from a']]);
    const allRooms = await new Promise<string[]>((resolve, reject) => a.adapter().allRooms((err, rooms) => (err ? reject(err) : resolve(rooms))));
    expect(
      allRooms
        .filter((room) => room.length > 100)
        .map(end)
        .sort(),
    ).toEqual([long1, long2].map(end));
  });

  it('except, the local flag and binary payloads cross nodes as they should', async () => {
    const [a, b] = await cluster(2);
    const [a4, b2, b4] = [await client(4, a), await client(2, b), await client(4, b)];
    const got = [a4, b2, b4].map((socket) => collect(socket, 'news'));
    a.io.of('/').connected[serverId(a4)]!.broadcast.emit('news', 'not to the sender');
    a.io.local.emit('news', 'only on a');
    b.io.of('/').connected[serverId(b4)]!.to(serverId(b2)).emit('news', 'direct');
    b.io.emit('news', Buffer.from([1, 2, 3]));
    await settle([a4, b2, b4], [a, b]);
    const seen = got.map((list) => list.map(([value]) => (typeof value === 'string' ? value : `bytes ${[...new Uint8Array(value as ArrayBuffer)]}`)).sort());
    expect(seen).toEqual([
      ['bytes 1,2,3', 'only on a'],
      ['bytes 1,2,3', 'direct', 'not to the sender'],
      ['bytes 1,2,3', 'not to the sender'],
    ]);
  });

  it('clients(), in(room).clients(), rooms and allRooms agree on every node (answered from the shared log)', async () => {
    const [a, b, c] = await cluster(3);
    const sockets = [await client(4, a), await client(2, b), await client(4, c), await client(2, c)];
    join(a, sockets[0]!, 'lobby');
    join(c, sockets[3]!, 'lobby', 'vip');
    const everyone = sockets.map((socket) => serverId(socket)).sort();
    const lobby = [serverId(sockets[0]!), serverId(sockets[3]!)].sort();
    await waitFor('every node to see the others alive', () => [a, b, c].every((node) => node.adapter().node.nodesServing('/').length === 3));
    await waitFor('listings to agree', async () => {
      for (const node of [a, b, c]) {
        if (JSON.stringify(await clientsOf(node)) !== JSON.stringify(everyone)) return false;
        if (JSON.stringify(await clientsOf(node, 'lobby')) !== JSON.stringify(lobby)) return false;
      }
      return true;
    });
    expect(Object.keys(b.adapter().rooms)).toEqual(expect.arrayContaining(['lobby', 'vip', ...everyone]));
    const allRooms = await new Promise<string[]>((resolve, reject) => b.adapter().allRooms((err, rooms) => (err ? reject(err) : resolve(rooms))));
    expect(allRooms.sort()).toEqual([...new Set([...everyone, 'lobby', 'vip'])].sort());
  });

  it('remote join, leave and disconnect reach a socket on another node', async () => {
    const [a, b] = await cluster(2);
    const onB = await client(4, b);
    const id = serverId(onB);
    await waitFor('a to know the socket', async () => (await clientsOf(a)).includes(id));
    await new Promise<void>((resolve, reject) => a.adapter().remoteJoin(id, 'far', (err) => (err ? reject(err) : resolve())));
    expect(Object.keys(b.io.of('/').connected[id]!.rooms)).toContain('far');
    await waitFor('the join to reach a', async () => (await clientsOf(a, 'far')).includes(id));
    await new Promise<void>((resolve, reject) => a.adapter().remoteLeave(id, 'far', (err) => (err ? reject(err) : resolve())));
    expect(Object.keys(b.io.of('/').connected[id]!.rooms)).not.toContain('far');
    const disconnected = new Promise((resolve) => onB.on('disconnect', resolve));
    await new Promise<void>((resolve, reject) => a.adapter().remoteDisconnect(id, false, (err) => (err ? reject(err) : resolve())));
    expect(await disconnected).toBe('io server disconnect');
    await waitFor('a to forget the socket', async () => !(await clientsOf(a)).includes(id));
    const error = await new Promise<Error | null>((resolve) => a.adapter().remoteJoin('nobody', 'x', resolve));
    expect(error?.message).toMatch(/remoteJoin\(nobody, x\) failed: no node has socket nobody/);
  });

  it('everything is namespace-scoped: broadcasts, listings and remote joins in /chat leave / alone', async () => {
    const [a, b] = await cluster(2);
    await Promise.all([a, b].map((node) => node.adapter('/chat').ready()));
    const chatA = await client(2, a, '/chat');
    const chatB = await client(4, b, '/chat');
    const mainB = await client(4, b);
    const idA = serverId(chatA, '/chat');
    const idB = serverId(chatB, '/chat');
    await waitFor('a to see the /chat socket of b', async () => (await clientsOf(a, undefined, '/chat')).includes(idB));
    expect(await clientsOf(a, undefined, '/chat')).toEqual([idA, idB].sort());
    await new Promise<void>((resolve, reject) => a.adapter('/chat').remoteJoin(idB, 'topic', (err) => (err ? reject(err) : resolve())));
    expect(Object.keys(b.io.of('/chat').connected[idB]!.rooms)).toContain('topic');
    const got = [chatA, chatB, mainB].map((socket) => collect(socket, 'news'));
    a.io.of('/chat').to('topic').emit('news', 'chat topic');
    a.io.of('/chat').emit('news', 'all of chat');
    await waitFor('chat deliveries', () => got[0]!.length === 1 && got[1]!.length === 2);
    await sleep(100);
    expect(got).toEqual([[['all of chat']], [['chat topic'], ['all of chat']], []]);
    // A 2.x client is always connected to / as well, under its engine id.
    expect(await clientsOf(a)).toEqual([serverId(mainB), idA.slice('/chat#'.length)].sort());
  });

  it('a request that some nodes leave unanswered fails with an error naming them', async () => {
    const [a, , c] = await cluster(3);
    // A foreign subscriber (as a socket.io node would be) makes clients() ask the nodes.
    const foreign = new Redis(onRedis.redis.url);
    await foreign.subscribe(a.adapter().channels.request);
    // c stays subscribed but stops answering.
    c.adapter().node.connections.sub.removeAllListeners('messageBuffer');
    await waitFor('a to see c alive', () => a.adapter().node.nodesServing('/').includes('node-2'));
    const started = Date.now();
    const error = await clientsOf(a).then(
      () => null,
      (err: Error) => err,
    );
    foreign.disconnect();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(error?.name).toBe('RequestTimeoutError');
    expect(error?.message).toBe('clients([]) timed out after 1500 ms: no answer from node-2 and 1 node(s) without an iostate name (socket.io)');
  });

  it("takes { host, port } and the user's own clients, and leaves those clients open and clean after close", async () => {
    const port = Number(new URL(onRedis.redis.url).port);
    const a = await startIostateNode('by-host', { host: '127.0.0.1', port });
    nodes.push(a);
    const pubClient = new Redis(onRedis.redis.url);
    const subClient = new Redis(onRedis.redis.url);
    const b = await startIostateNode('by-clients', { pubClient, subClient });
    const onA = await client(4, a);
    const got = collect(onA, 'news');
    b.io.emit('news', 'through the user clients');
    await waitFor('cross-node delivery', () => got.length === 1);
    await b.close();
    expect([pubClient.status, subClient.status]).toEqual(['ready', 'ready']);
    expect([subClient.listenerCount('messageBuffer'), subClient.listenerCount('pmessageBuffer')]).toEqual([0, 0]);
    pubClient.disconnect();
    subClient.disconnect();
  });

  it('with sharedLog: false the projections stay local and clients() asks the nodes', async () => {
    const [a, b] = await Promise.all(['own-a', 'own-b'].map((name) => startIostateNode(name, { url: onRedis.redis.url, sharedLog: false })));
    nodes.push(a!, b!);
    const onA = await client(2, a!);
    const onB = await client(4, b!);
    expect(await clientsOf(a!)).toEqual([serverId(onA), serverId(onB)].sort());
    expect([...a!.io.log.projections.rooms.socketIds('/')]).toEqual([serverId(onA)]);
    const probe = new Redis(onRedis.redis.url);
    expect(await probe.exists('socket.io-log')).toBe(0);
    probe.disconnect();
  });

  it('a node restarted under the same name makes the others drop the sockets of its previous life at once', async () => {
    const observer = await startIostateNode('observer', { url: onRedis.redis.url });
    nodes.push(observer);
    // The previous life of "phoenix": it wrote these events, then died without a word.
    const writer = new Redis(onRedis.redis.url);
    const past = [
      { seq: 1, ts: Date.now(), node: 'phoenix', type: 'socket.connect', sid: 'old-sid', socketId: 'old-socket', nsp: '/', protocol: 5 },
      { seq: 2, ts: Date.now(), node: 'phoenix', type: 'room.join', socketId: 'old-socket', nsp: '/', room: 'nest' },
    ];
    for (const event of past) await writer.xadd('socket.io-log', '*', 'e', JSON.stringify(event));
    writer.disconnect();
    const membersOnObserver = () => [...(observer.io.log.projections.rooms.membersOf('/', 'nest') ?? [])];
    await waitFor('the observer to fold the past', () => membersOnObserver().length === 1);
    const started = Date.now();
    nodes.push(await startIostateNode('phoenix', { url: onRedis.redis.url }));
    await waitFor('the observer to drop the old socket', () => membersOnObserver().length === 0);
    // Well before liveness could have noticed anything (heartbeatTimeout + 2 s after connecting).
    expect(Date.now() - started).toBeLessThan(1000);
    expect(observer.io.log.projections.sessions.socket('/', 'old-socket')?.status).toBe('lost');
  });

  it('malformed messages on every channel are ignored and the node carries on', async () => {
    const [a, b] = await cluster(2);
    const onA = await client(4, a);
    const errors: Error[] = [];
    a.adapter().on('error', (error: Error) => errors.push(error));
    const rogue = new Redis(onRedis.redis.url);
    const { broadcast, request, response } = a.adapter().channels;
    const garbage: Array<string | Buffer> = [
      '{',
      '{"type":2,"opts":5,"rooms":"x"}',
      '{"type":4,"sid":{"x":1},"close":"yes"}',
      '{"type":5,"requestId":7,"opts":[1,2]}',
      '{"type":7,"requestId":"r","packet":{"type":2,"data":"not an array"}}',
      Buffer.from([0xc1, 0xff, 0x00]),
      msgpack.encode([1, 2]),
      msgpack.encode(['uid', { type: 'x' }, null]),
      msgpack.encode(['uid', { type: 2, data: ['news', 'no opts'] }, { rooms: 'r', except: 5 }]),
    ];
    for (const message of garbage) {
      await rogue.publish(request, message);
      await rogue.publish(`${broadcast}room#`, message);
      await rogue.publish(response, message);
    }
    rogue.disconnect();
    const got = collect(onA, 'news');
    b.io.emit('news', 'still fine');
    await waitFor('a broadcast after the garbage', () => got.some(([value]) => value === 'still fine'));
    expect(errors).toEqual([]);
  });

  it('bad options are refused with a clear TypeError', () => {
    expect(() => redisAdapter({ url: 'http://x' })).toThrow(/must start with redis:\/\/ or rediss:\/\/\n.*at url/);
    expect(() => redisAdapter({ pubClient: new Redis({ lazyConnect: true }) })).toThrow(/pubClient and subClient go together/);
    expect(() => redisAdapter({ heartbeatInterval: 5000, heartbeatTimeout: 1000 })).toThrow(/heartbeatTimeout must be longer/);
    expect(() => redisAdapter({ requestsTimeout: -1 } as never)).toThrow(TypeError);
  });

  it('a node started later learns the existing membership from the log stream', async () => {
    const [a] = await cluster(1);
    const early = await client(4, a);
    join(a, early, 'old-room');
    // Started once the join is in the stream: only reading what was there before it started can tell b.
    const raw = new Redis(onRedis.redis.url);
    try {
      await waitFor("a's join in the stream", async () =>
        (await raw.xrange('socket.io-log', '-', '+')).some(([, fields]) => fields[1]!.includes('"room":"old-room"')),
      );
    } finally {
      raw.disconnect();
    }
    const b = await startIostateNode('late', { url: onRedis.redis.url });
    nodes.push(b);
    expect(await clientsOf(b, 'old-room')).toEqual([serverId(early)]);
  });
});

describe.skipIf(skipWithoutRedis('redis adapter wire'))('redis adapter wire format', () => {
  let redis: TestRedis;
  let node: IostateNode | undefined;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await node?.close();
    await redis?.close();
  });

  it('publishes msgpack [uid, packet, { rooms, except, flags }] on the namespace or single-room channel', async () => {
    node = await startIostateNode('wire', { url: redis.url });
    const listener = new Redis(redis.url);
    const messages: Array<[string, unknown]> = [];
    listener.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, message: Buffer) => messages.push([channel.toString(), msgpack.decode(message)]));
    await listener.psubscribe('socket.io#/chat#*');
    node.io.of('/chat').to('room1').volatile.emit('hello', 1);
    node.io
      .of('/chat')
      .to('room1')
      .to('room2')
      .emit('both', Buffer.from([5]));
    node.io.of('/chat').local.emit('not published');
    await waitFor('two messages', () => messages.length >= 2);
    await sleep(50);
    listener.disconnect();
    const uid = node.adapter('/chat').uid;
    expect(messages).toEqual([
      ['socket.io#/chat#room1#', [uid, { type: 2, data: ['hello', 1], nsp: '/chat' }, { rooms: ['room1'], except: [], flags: { volatile: true } }]],
      ['socket.io#/chat#', [uid, { type: 2, data: ['both', Buffer.from([5])], nsp: '/chat' }, { rooms: ['room1', 'room2'], except: [], flags: {} }]],
    ]);
  });
});
