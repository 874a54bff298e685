// socket.io-redis 5, the Redis adapter 2.x clusters run, plugged unchanged
// into iostate: an iostate node and a socket.io 2.5.1 node, each with
// `require('socket.io-redis')(...)`, on one Redis, are one cluster.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutRedis, startRedis, type TestRedis } from './redis-server';
import { collect, connect, serverId, sleep, waitFor, type TestSocket } from './cluster-harness';
import { call, startLegacyNode, subscribers, type LegacyNode } from './legacy-node';

describe.skipIf(skipWithoutRedis('socket.io-redis 5'))('socket.io-redis 5 on an iostate node and a socket.io 2.5.1 node', () => {
  let redis: TestRedis;
  let iostate: LegacyNode;
  let reference: LegacyNode;
  const clients: TestSocket[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });

  async function startCluster(): Promise<void> {
    iostate = await startLegacyNode('iostate', redis.url);
    reference = await startLegacyNode('socket.io 2.5.1', redis.url);
    // socket.io-redis 5 waits for as many answers as NUMSUB counted: ask once both listen.
    await waitFor('both nodes to subscribe', async () => (await subscribers(redis.url, 'socket.io-request#/#')) === 2);
  }

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all([iostate?.close(), reference?.close()]);
    await redis.flush();
  });

  async function client(node: LegacyNode, generation: 2 | 4 = 2): Promise<TestSocket> {
    const socket = await connect(generation, node.port);
    clients.push(socket);
    return socket;
  }

  it('broadcasts cross both ways: rooms, the sender excluded, binary, for both client generations on iostate', async () => {
    await startCluster();
    const onIostate2 = await client(iostate, 2);
    const onIostate4 = await client(iostate, 4);
    const onReference = await client(reference, 2);
    await call<void>((cb) => iostate.socket(onIostate2).join('room', cb));
    await call<void>((cb) => reference.socket(onReference).join('room', cb));
    const got = [onIostate2, onIostate4, onReference].map((socket) => collect(socket, 'news'));
    reference.io.of('/').to('room').emit('news', 'from 2.5.1 to room');
    iostate.io.of('/').to('room').emit('news', 'from iostate to room');
    reference.socket(onReference).broadcast.emit('news', '2.5.1 sender excluded');
    iostate.socket(onIostate4).broadcast.emit('news', 'iostate sender excluded');
    iostate.io.of('/').emit('news', Buffer.from([9, 8]));
    reference.io.of('/').emit('news', Buffer.from([7]));
    const text = (list: unknown[][]) =>
      list.map(([value]) => (typeof value === 'string' ? value : `bytes ${[...new Uint8Array(value as ArrayBuffer)]}`)).sort();
    const expected = [
      ['2.5.1 sender excluded', 'bytes 7', 'bytes 9,8', 'from 2.5.1 to room', 'from iostate to room', 'iostate sender excluded'],
      ['2.5.1 sender excluded', 'bytes 7', 'bytes 9,8'],
      ['bytes 7', 'bytes 9,8', 'from 2.5.1 to room', 'from iostate to room', 'iostate sender excluded'],
    ];
    await waitFor('every broadcast to arrive', () => got.every((list, index) => list.length >= expected[index]!.length)).catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(got)}`);
    });
    await sleep(100); // nothing arrives twice
    expect(got.map(text)).toEqual(expected);
  });

  it('clients(), allRooms(), remoteJoin/remoteLeave/remoteDisconnect and customRequest, asked on either node', async () => {
    await startCluster();
    const onIostate = await client(iostate, 2);
    const onReference = await client(reference, 2);
    const ids = [serverId(onIostate), serverId(onReference)].sort();
    await call<void>((cb) => iostate.socket(onIostate).join('shared', cb));
    for (const node of [iostate, reference]) {
      expect((await call<string[]>((cb) => node.adapter().clients([], cb))).sort()).toEqual(ids);
      expect(await call<string[]>((cb) => node.adapter().clients(['shared'], cb))).toEqual([serverId(onIostate)]);
      expect(await call<string[]>((cb) => node.adapter().allRooms(cb))).toEqual(expect.arrayContaining([...ids, 'shared']));
    }

    await call<void>((cb) => reference.adapter().remoteJoin(serverId(onIostate), 'from-2.5.1', (err) => cb(err, undefined)));
    expect(Object.keys(iostate.socket(onIostate).rooms)).toContain('from-2.5.1');
    await call<void>((cb) => reference.adapter().remoteLeave(serverId(onIostate), 'from-2.5.1', (err) => cb(err, undefined)));
    expect(Object.keys(iostate.socket(onIostate).rooms)).not.toContain('from-2.5.1');
    await call<void>((cb) => iostate.adapter().remoteJoin(serverId(onReference), 'from-iostate', (err) => cb(err, undefined)));
    expect(Object.keys(reference.socket(onReference).rooms)).toContain('from-iostate');

    iostate.adapter().customHook = (data, cb) => cb(`iostate saw ${String(data)}`);
    reference.adapter().customHook = (data, cb) => cb(`2.5.1 saw ${String(data)}`);
    expect((await call<unknown[]>((cb) => reference.adapter().customRequest('ping', cb))).sort()).toEqual(['2.5.1 saw ping', 'iostate saw ping']);

    const gone = new Promise((resolve) => onIostate.on('disconnect', resolve));
    await call<void>((cb) => reference.adapter().remoteDisconnect(serverId(onIostate), true, (err) => cb(err, undefined)));
    expect(await gone).toBe('io server disconnect');
  });
});
