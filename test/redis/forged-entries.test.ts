// Someone who can write to Redis adds entries to the shared log stream
// (`XADD socket.io-log * e <json>`). A node never lets such an entry change a
// socket that lives on it, whatever node the entry claims to come from.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import type { ServerOptions } from '../../src/actors/server';
import { replay } from '../../src/log/replay';
import { readClusterLog } from '../../src/redis';
import { skipWithoutRedis, startRedis, type TestRedis } from './redis-server';
import { clientsOf, collect, connect, serverId, startIostateNode, waitFor, type IostateNode, type TestSocket } from './cluster-harness';

describe.skipIf(skipWithoutRedis('forged log entries'))('forged entries in the shared log stream', () => {
  let redis: TestRedis;
  let raw: Redis;
  const nodes: IostateNode[] = [];
  const clients: TestSocket[] = [];
  let markers = 0;

  beforeAll(async () => {
    redis = await startRedis();
    raw = new Redis(redis.url);
  });
  afterAll(async () => {
    raw?.disconnect();
    await redis?.close();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(nodes.splice(0).map((node) => node.close()));
    await redis.flush();
  });

  async function node(name: string, serverOptions: ServerOptions = {}): Promise<IostateNode> {
    const started = await startIostateNode(name, { url: redis.url }, serverOptions);
    nodes.push(started);
    return started;
  }

  async function client(generation: 2 | 4, on: IostateNode, nsp = '/'): Promise<TestSocket> {
    const socket = await connect(generation, on.port, nsp);
    clients.push(socket);
    return socket;
  }

  /** What an attacker with access to Redis does. */
  function forge(event: Record<string, unknown>): Promise<unknown> {
    return raw.call('XADD', 'socket.io-log', '*', 'e', JSON.stringify({ seq: 1, ts: Date.now(), ...event }));
  }

  /** A harmless entry after the forged ones: once `on` folded it, it has read them. */
  async function readUpTo(...on: IostateNode[]): Promise<void> {
    const socketId = `marker-${++markers}`;
    await forge({ node: 'node-marker', type: 'socket.connect', sid: socketId, socketId, nsp: '/', protocol: 5 });
    for (const each of on) await waitFor(`${each.name} to read the marker`, () => each.io.log.projections.sessions.socket('/', socketId) !== undefined);
  }

  /** Whether `to(room).emit` on `from` reaches `socket` (a direct message to it after the broadcast proves it would have arrived). */
  async function reaches(from: IostateNode, room: string, socket: TestSocket, id: string, nsp = '/'): Promise<boolean> {
    const secrets = collect(socket, 'secret');
    const done = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${id} is not even reachable directly`)), 5000);
      socket.on('done', () => resolve(clearTimeout(timer)));
    });
    from.io.of(nsp).to(room).emit('secret', 'for admins only');
    from.io.of(nsp).to(id).emit('done');
    await done;
    return secrets.length > 0;
  }

  for (const claimed of ['node-x', 'node-b', 'node-a']) {
    it(`a forged room.join claiming ${claimed} does not put a socket of node-a in the room (2.x and 4.x clients)`, async () => {
      const a = await node('node-a');
      const b = await node('node-b');
      const victims = [await client(4, a), await client(2, a)];
      for (const victim of victims) await forge({ node: claimed, type: 'room.join', socketId: serverId(victim), nsp: '/', room: 'admins-only' });
      await readUpTo(a, b);
      for (const victim of victims) {
        expect(await reaches(a, 'admins-only', victim, serverId(victim))).toBe(false);
        expect(a.io.of('/').adapter.rooms['admins-only']).toBeUndefined();
      }
      // node-b cannot tell a forgery that claims node-a, but nothing claiming another node changes node-a's sockets there either.
      if (claimed !== 'node-a') expect(await clientsOf(b, 'admins-only')).toEqual([]);
    });
  }

  it('a forged socket.connect cannot take a local socket over, nor can a forged disconnect take it out of its rooms', async () => {
    const a = await node('node-a');
    const b = await node('node-b');
    const victim = await client(4, a);
    const id = serverId(victim);
    a.io.of('/').connected[id]!.join('team');
    const sid = a.io.of('/').connected[id]!.client.id;
    await forge({ node: 'node-x', type: 'socket.connect', sid, socketId: id, nsp: '/', protocol: 5 });
    await forge({ node: 'node-x', type: 'room.join', socketId: id, nsp: '/', room: 'admins-only' });
    await forge({ node: 'node-x', type: 'socket.disconnect', socketId: id, nsp: '/', reason: 'forged', initiator: 'client' });
    await forge({ node: 'node-x', type: 'conn.close', sid, reason: 'forged', initiator: 'client', transport: 'websocket' });
    await readUpTo(a, b);
    expect(await reaches(a, 'admins-only', victim, id)).toBe(false);
    expect(await reaches(a, 'team', victim, id)).toBe(true);
    for (const each of [a, b]) {
      const socket = each.io.log.projections.sessions.socket('/', id)!;
      expect({ node: socket.node, status: socket.status, rooms: [...socket.rooms].sort() }).toEqual({
        node: 'node-a',
        status: 'connected',
        rooms: [id, 'team'].sort(),
      });
      expect(each.io.log.projections.sessions.session(sid)!.status).not.toBe('closed');
    }
    expect(await clientsOf(b, 'team')).toEqual([id]);
    // Nothing of the forgery reached the log that the inspector shows.
    const forged = a.io.log.events().filter((event) => event.node === 'node-x');
    expect(forged).toEqual([]);
  });

  it('a 2.x socket id known in advance cannot be claimed before its socket connects to a namespace', async () => {
    const a = await node('node-a');
    a.io.of('/admin');
    const victim = await client(2, a);
    // A 2.x socket's id in /admin is "/admin#" + its id in "/", which everyone who sees that id can predict.
    const future = `/admin#${victim.id}`;
    await forge({ node: 'node-x', type: 'socket.connect', sid: 'forged-sid', socketId: future, nsp: '/admin', protocol: 4 });
    await forge({ node: 'node-x', type: 'room.join', socketId: future, nsp: '/admin', room: 'admins-only' });
    await readUpTo(a);
    // The same connection opens /admin (a new client would get a new id).
    const inAdmin = (victim as unknown as { io: { socket(nsp: string): TestSocket } }).io.socket('/admin');
    await new Promise((resolve) => inAdmin.on('connect', resolve));
    expect(serverId(inAdmin, '/admin')).toBe(future);
    expect(await reaches(a, 'admins-only', inAdmin, future, '/admin')).toBe(false);
    expect(a.io.log.projections.sessions.socket('/admin', future)!.node).toBe('node-a');
  });

  it('skips invalid entries and reports each with its id and why, at most once a second; the node reads on and its inspector answers', async () => {
    const a = await node('node-a', { inspector: { auth: () => true } });
    const errors: string[] = [];
    a.adapter().on('error', (error: Error) => errors.push(error.message));
    const valid = { seq: 1, ts: Date.now(), node: 'node-x', type: 'nsp.create', nsp: '/elsewhere' };
    // In one transaction: the node reads them in one go, within the second its first report opens.
    const [[, first]] = (await raw
      .multi()
      .xadd('socket.io-log', '*', 'e', '{"seq":')
      .xadd('socket.io-log', '*', 'x', '1')
      .xadd('socket.io-log', '*', 'e', JSON.stringify({ ...valid, type: 'room.owned' }))
      .xadd('socket.io-log', '*', 'e', JSON.stringify({ ...valid, ts: 1e300 }))
      .xadd('socket.io-log', '*', 'e', JSON.stringify({ ...valid, ts: -1 }))
      .xadd('socket.io-log', '*', 'e', JSON.stringify({ ...valid, node: '' }))
      .xadd('socket.io-log', '*', 'e', JSON.stringify({ ...valid, nsp: 'n'.repeat(70_000) }))
      // Claims to be node-a, which never wrote a seq this high.
      .xadd('socket.io-log', '*', 'e', JSON.stringify({ ...valid, node: 'node-a', seq: 1_000_000 }))
      .exec())! as [unknown, string][];
    await readUpTo(a);
    expect(a.adapter().node.skippedEntries).toBe(8);
    expect(errors[0]).toBe(`log stream socket.io-log: skipped entry ${first}: not JSON`);
    await waitFor('the count of the entries not reported one by one', () => errors.length === 2);
    expect(errors[1]).toBe('log stream socket.io-log: skipped 7 more entries (reported at most once a second)');
    expect(
      a.io.log
        .events()
        .filter((event) => event.node !== 'node-a')
        .map((event) => event.type),
    ).toEqual(['socket.connect']);
    for (const route of ['snapshot', 'timeline', 'lanes']) {
      const response = await fetch(`http://127.0.0.1:${a.port}/iostate/${route}`);
      expect(`${route} ${response.status}`).toBe(`${route} 200`);
    }
  });

  it("an entry about its own node's session with times no clock can show is skipped: the inspector and its explanations never fail", async () => {
    const a = await node('node-a', { inspector: { auth: () => true } });
    const open = { node: 'node-x', type: 'conn.open', sid: 'x-sid', protocol: 4, transport: 'polling', remoteAddress: '10.0.0.9' };
    const settings = { pingInterval: 25000, pingTimeout: 20000, upgradeTimeout: 10000, maxPayload: 1e6, upgrades: ['websocket'] };
    await forge({ ...open, ...settings });
    await forge({
      node: 'node-x',
      type: 'conn.close',
      sid: 'x-sid',
      reason: 'ping timeout',
      initiator: 'server',
      transport: 'polling',
      lastPingAt: 1e300,
      lastPongAt: -1e300,
    });
    await forge({
      node: 'node-x',
      type: 'conn.open',
      sid: 'y-sid',
      protocol: 4,
      transport: 'polling',
      remoteAddress: '10.0.0.9',
      ...settings,
      pingTimeout: 1e300,
    });
    await readUpTo(a);
    expect(a.adapter().node.skippedEntries).toBe(2);
    expect(a.io.log.projections.sessions.session('x-sid')!.status).toBe('open');
    for (const route of ['snapshot', 'timeline', 'lanes']) {
      const response = await fetch(`http://127.0.0.1:${a.port}/iostate/${route}`);
      expect(`${route} ${response.status}`).toBe(`${route} 200`);
    }
  });

  it('readClusterLog (replay and inspect --redis) skips the same entries, says why, and replays what the nodes hold', async () => {
    const a = await node('node-a');
    const victim = await client(4, a);
    const id = serverId(victim);
    a.io.of('/').connected[id]!.join('team');
    await a.io.log.flush();
    await forge({ node: 'node-x', type: 'room.join', socketId: id, nsp: '/', room: 'admins-only' });
    await forge({ node: 'node-x', ts: 1e300, type: 'nsp.create', nsp: '/x' });
    await readUpTo(a);
    await a.io.log.flush();
    const log = await readClusterLog({ redis: redis.url });
    expect(log.invalid.map((entry) => entry.problem)).toEqual([
      'refused: room.join from node "node-x" about a socket of node "node-a"',
      'ts 1e+300 out of range (after 2000-01-01, at most a day ahead of this clock)',
    ]);
    const replayed = replay(log.events).projections.rooms;
    expect(replayed.membersOf('/', 'admins-only')).toBeUndefined();
    expect([...replayed.membersOf('/', 'team')!]).toEqual([id]);
  });

  it('without an error listener, each report is one console.warn, and the reports remembered to print once stay bounded', async () => {
    const a = await node('node-a');
    const quiet = a.adapter('/quiet');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      for (let i = 0; i < 1001; i++) quiet.reportError(new Error(`skipped entry ${i}`));
      quiet.reportError(new Error('skipped entry 1000'));
      expect(warn).toHaveBeenCalledTimes(1001);
      // The first ones were forgotten: printing them again is the price of not keeping every message.
      quiet.reportError(new Error('skipped entry 0'));
      expect(warn).toHaveBeenCalledTimes(1002);
    } finally {
      warn.mockRestore();
    }
  });
});
