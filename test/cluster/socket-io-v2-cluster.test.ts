// A socket.io 2 cluster moving to iostate one node at a time: a socket.io
// 2.5.1 process with socket.io-redis 5 and two iostate processes with
// iostate/redis in `compat: 'socket.io-redis-5'`, on one Redis, are one
// cluster. Broadcasts (rooms, the sender excluded, another namespace,
// binary) reach every client once; clients() and allRooms() asked on either
// kind of node include the other kind's sockets; remoteJoin, remoteLeave,
// remoteDisconnect and customRequest work both ways.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutRedis, startRedis, type TestRedis } from '../redis/redis-server';
import { connect, serverId, sleep, waitFor, type TestSocket } from '../redis/cluster-harness';
import { START_DEADLINE, ask, spawnNode, type SpawnedNode } from './spawn-node';

interface Node extends SpawnedNode {
  control: TestSocket;
}

describe.skipIf(skipWithoutRedis('socket.io 2 + iostate cluster'))('a socket.io 2.5.1 node and two iostate nodes on one Redis', () => {
  let redis: TestRedis;
  let v2: Node;
  let a: Node;
  let b: Node;
  const clients: TestSocket[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    const iostate = { REDIS_URL: redis.url, HEARTBEAT_INTERVAL: '200', HEARTBEAT_TIMEOUT: '1000', COMPAT: 'socket.io-redis-5' };
    const started = await Promise.all([
      spawnNode('test/cluster/socket-io-v2-node.ts', 'v2', { REDIS_URL: redis.url }),
      spawnNode('test/cluster/node-process.ts', 'iostate-a', iostate),
      spawnNode('test/cluster/node-process.ts', 'iostate-b', iostate),
    ]);
    // socket.io 2.5.1 speaks to 2.x clients only; iostate's get 4.x ones, which stay out of '/'.
    [v2, a, b] = await Promise.all(started.map(async (node) => ({ ...node, control: await connect(node.name === 'v2' ? 2 : 4, node.port, '/control') })));
  }, START_DEADLINE + 10_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    for (const node of [v2, a, b]) {
      node?.control.close();
      node?.child.kill('SIGKILL');
    }
    await redis?.close();
  });

  /** A 2.x client is in '/' too, whatever namespace it asked for: its socket there has the session id. */
  const rootOf = (socket: TestSocket) => socket.id.slice(socket.id.indexOf('#') + 1);

  async function client(node: Node, generation: 2 | 4, nsp = '/'): Promise<TestSocket> {
    const socket = await connect(generation, node.port, nsp);
    clients.push(socket);
    return socket;
  }

  it('broadcasts, listings and remote operations cross between socket.io 2.5.1 and iostate', async () => {
    const onV2 = await client(v2, 2);
    const onA = await client(a, 2);
    const onB = await client(b, 4);
    const chatOnV2 = await client(v2, 2, '/chat');
    const chatOnA = await client(a, 4, '/chat');
    const [idV2, idA, idB] = [onV2, onA, onB].map((socket) => serverId(socket));
    await ask(v2.control, 'join', idV2, ['room']);
    await ask(a.control, 'join', idA, ['room']);

    // clients() and allRooms() on either kind of node list every node's sockets.
    const everyone = [idV2!, idA!, idB!, rootOf(v2.control), rootOf(chatOnV2)].sort();
    for (const node of [v2, a, b]) {
      expect(await ask(node.control, 'clients', null), node.name).toEqual(everyone);
      expect(await ask(node.control, 'clients', 'room'), node.name).toEqual([idV2, idA].sort());
      expect(await ask(node.control, 'allRooms'), node.name).toEqual([...everyone, 'room'].sort());
    }

    // Broadcasts: every client gets each one it should, once.
    const mains = [onV2, onA, onB];
    const chats = [chatOnV2, chatOnA];
    const got = [...mains, ...chats].map(() => [] as string[]);
    [...mains, ...chats].forEach((socket, i) =>
      socket.on('news', (payload: unknown) => got[i]!.push(typeof payload === 'string' ? payload : `bytes ${[...new Uint8Array(payload as ArrayBuffer)]}`)),
    );
    await ask(v2.control, 'emitTo', '/', ['room'], 'room from 2.5.1');
    await ask(a.control, 'emitTo', '/', ['room'], 'room from iostate');
    await ask(v2.control, 'broadcastFrom', idV2, 'all but the 2.5.1 sender');
    await ask(b.control, 'broadcastFrom', idB, 'all but the iostate sender');
    await ask(b.control, 'emitTo', '/chat', [], 'chat from iostate');
    await ask(v2.control, 'emitTo', '/chat', [], 'chat from 2.5.1');
    await ask(v2.control, 'emitTo', '/', [], { bytes: [2, 5, 1] });
    await ask(a.control, 'emitTo', '/', [], { bytes: [4] });
    const expected = [
      ['all but the iostate sender', 'bytes 2,5,1', 'bytes 4', 'room from 2.5.1', 'room from iostate'],
      ['all but the 2.5.1 sender', 'all but the iostate sender', 'bytes 2,5,1', 'bytes 4', 'room from 2.5.1', 'room from iostate'],
      ['all but the 2.5.1 sender', 'bytes 2,5,1', 'bytes 4'],
      ['chat from 2.5.1', 'chat from iostate'],
      ['chat from 2.5.1', 'chat from iostate'],
    ];
    await waitFor('every broadcast', () => got.every((list, i) => list.length >= expected[i]!.length)).catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(got)}`);
    });
    await sleep(200); // and nothing twice
    expect(got.map((list) => [...list].sort())).toEqual(expected);

    // remoteJoin / remoteLeave from a 2.5.1 node act on an iostate socket, and the other way round.
    await ask(v2.control, 'remoteJoin', idB, 'vip');
    expect(await ask(b.control, 'rooms', idB)).toContain('vip');
    expect(await ask(v2.control, 'clients', 'vip')).toEqual([idB]);
    const vip = [] as unknown[];
    onB.on('news', (payload: unknown) => vip.push(payload));
    await ask(v2.control, 'emitTo', '/', ['vip'], 'vip only');
    await waitFor('the vip broadcast', () => vip.length === 1);
    await ask(v2.control, 'remoteLeave', idB, 'vip');
    expect(await ask(b.control, 'rooms', idB)).not.toContain('vip');
    await ask(a.control, 'remoteJoin', idV2, 'from-iostate');
    expect(await ask(v2.control, 'rooms', idV2)).toContain('from-iostate');
    await ask(a.control, 'remoteLeave', idV2, 'from-iostate');
    expect(await ask(v2.control, 'rooms', idV2)).not.toContain('from-iostate');

    // customRequest: every node's hook replies, whichever kind asks.
    const replies = ['iostate-a saw ping', 'iostate-b saw ping', 'v2 saw ping'];
    expect(await ask(v2.control, 'customRequest', 'ping')).toEqual(replies);
    expect(await ask(a.control, 'customRequest', 'ping')).toEqual(replies);

    // remoteDisconnect from the 2.5.1 node ends an iostate socket; from iostate, a 2.5.1 one.
    const goneA = new Promise((resolve) => onA.on('disconnect', resolve));
    await ask(v2.control, 'remoteDisconnect', idA, true);
    expect(await goneA).toBe('io server disconnect');
    const goneV2 = new Promise((resolve) => onV2.on('disconnect', resolve));
    await ask(b.control, 'remoteDisconnect', idV2, false);
    expect(await goneV2).toBe('io server disconnect');
    const left = [idB!, rootOf(v2.control), rootOf(chatOnV2)].sort();
    await waitFor('both to leave every listing', async () => JSON.stringify(await ask(v2.control, 'clients', null)) === JSON.stringify(left));
    expect(await ask(a.control, 'clients', null)).toEqual(left);
  }, 60_000);
});
