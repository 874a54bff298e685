/**
 * `io.adapter(X)` on a server that already has iostate's Redis adapter:
 * the replaced adapter is closed. socket.io 2.5.1 and 4.8 just drop it,
 * but theirs keep rooms of their own; ours read the log's, so a replaced
 * adapter still subscribed would deliver every broadcast of the other nodes
 * a second time. Closing it must not deafen the new one, which listens on
 * the same channels of the same subscriber connection.
 */
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { readClusterLog, redisAdapter, type RedisAdapter } from '../../src/redis';
import { replay } from '../../src/log/replay';
import { skipWithoutRedis } from './redis-server';
import {
  clientsOf,
  collect,
  connect,
  FAST,
  type IostateNode,
  serverId,
  sleep,
  startIostateNode,
  type TestSocket,
  useRedisCluster,
  waitFor,
} from './cluster-harness';

describe.skipIf(skipWithoutRedis('redis adapter swap'))('io.adapter(X) replacing a Redis adapter', () => {
  const onRedis = useRedisCluster();
  const { nodes, clients } = onRedis;

  /** Resolves once `client` has `sender`'s next broadcast, a marker: its earlier broadcasts arrived before (one publisher: in order). */
  function markerFrom(sender: IostateNode, client: TestSocket): Promise<void> {
    const marker = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no marker from ${sender.name} in 5 s: the receiving node no longer hears it`)), 5000);
      client.on('marker', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    sender.io.emit('marker');
    return marker;
  }

  it('delivers the other nodes’ broadcasts once, and still answers their requests', async () => {
    const [a, b] = await Promise.all([startIostateNode('node-a', { url: onRedis.redis.url }), startIostateNode('node-b', { url: onRedis.redis.url })]);
    nodes.push(a, b);
    const client = await connect(4, a.port);
    clients.push(client);
    const replaced = a.adapter();
    const { sub } = replaced.node.connections;
    const listeners = sub.listenerCount('pmessageBuffer');

    a.io.adapter(redisAdapter({ ...FAST, url: onRedis.redis.url }));
    const current = a.adapter();
    current.on('error', () => {});
    await current.ready();
    expect(current).not.toBe(replaced);
    expect(sub.listenerCount('pmessageBuffer'), 'the replaced adapter stopped listening').toBe(listeners);

    const hellos = collect(client, 'hello');
    b.io.emit('hello');
    await markerFrom(b, client);
    expect(hellos).toHaveLength(1);

    // A request from node b, answered by node a's new adapter: its socket joins a room b then broadcasts to.
    await new Promise<void>((resolve, reject) => b.adapter().remoteJoin(serverId(client), 'far', (err) => (err ? reject(err) : resolve())));
    const far = collect(client, 'far');
    b.io.to('far').emit('far');
    await markerFrom(b, client);
    expect(far).toHaveLength(1);
  });

  it('a second swap keeps the namespace subscribed (the shared channels stay)', async () => {
    const [a, b] = await Promise.all([startIostateNode('node-a', { url: onRedis.redis.url }), startIostateNode('node-b', { url: onRedis.redis.url })]);
    nodes.push(a, b);
    const client = await connect(2, a.port);
    clients.push(client);
    for (let swap = 0; swap < 2; swap++) {
      a.io.adapter(redisAdapter({ ...FAST, url: onRedis.redis.url }));
      (a.adapter() as RedisAdapter).on('error', () => {});
      await a.adapter().ready();
    }
    const hellos = collect(client, 'hello');
    b.io.emit('hello');
    await markerFrom(b, client);
    expect(hellos).toHaveLength(1);
  });

  /** Whether `node`'s projection (what its listings read) counts `client`'s socket as connected. */
  function holds(node: IostateNode, client: TestSocket): boolean {
    return node.io.log.projections.sessions.socket('/', serverId(client))?.status === 'connected';
  }

  it('another key moves the server to that cluster: its sockets are reached there, and nothing of it stays on the old one', async () => {
    const started = Date.now();
    const [a, b, c] = await Promise.all([
      startIostateNode('node-a', { url: onRedis.redis.url, key: 'a' }),
      startIostateNode('node-b', { url: onRedis.redis.url, key: 'b' }),
      startIostateNode('node-c', { url: onRedis.redis.url, key: 'a' }),
    ]);
    nodes.push(a, b, c);
    const [onA, onB, onC] = await Promise.all([connect(4, a.port), connect(2, b.port), connect(4, c.port)]);
    clients.push(onA, onB, onC);
    await waitFor('nodes a and c to hold each other’s socket', () => holds(c, onA) && holds(a, onC));

    a.io.adapter(redisAdapter({ ...FAST, url: onRedis.redis.url, key: 'b' }));
    const moved = a.adapter();
    moved.on('error', () => {});
    await moved.ready();
    expect(moved.channels.request).toBe('b-request#/#');

    // Node b reaches a's socket: by broadcast, in its listings, by a remote join.
    const hellos = collect(onA, 'hello');
    b.io.emit('hello');
    await markerFrom(b, onA);
    expect(hellos).toHaveLength(1);
    await waitFor('node b to list node a’s socket', async () => (await clientsOf(b)).includes(serverId(onA)));
    await new Promise<void>((resolve, reject) => b.adapter().remoteJoin(serverId(onA), 'far', (err) => (err ? reject(err) : resolve())));
    // Node a lists cluster b's sockets, and no longer cluster a's.
    expect(await clientsOf(a)).toEqual([serverId(onA), serverId(onB)].sort());

    // Nothing of node a is left on cluster a: no subscription, its liveness key only marked left, and node c drops its socket.
    const probe = new Redis(onRedis.redis.url);
    try {
      const [, subscribers] = (await probe.call('PUBSUB', 'NUMSUB', 'a-request#/#')) as [string, number];
      expect(subscribers, 'only node c listens on cluster a').toBe(1);
      // Marked left for heartbeatTimeout (1 s here), then gone: never a live value again.
      expect([JSON.stringify({ left: true }), null]).toContain(await probe.get('a-node#node-a'));
      expect(await probe.sismember('a-nodes', 'node-a')).toBe(0);
    } finally {
      probe.disconnect();
    }
    // Node c's own listings alone no longer ask anyone: its projection must drop the socket (node a is down there).
    // Node c declares no node down until heartbeatTimeout + 2 s after it connected to Redis: about 3 s here.
    await waitFor('node c to drop node a’s socket', () => !holds(c, onA), 15_000);
    expect(holds(a, onC), 'node a forgot cluster a’s sockets').toBe(false);
    const fromC = collect(onA, 'from-c');
    c.io.emit('from-c');
    await markerFrom(b, onA);
    await sleep(200);
    expect(fromC, 'cluster a no longer reaches node a').toHaveLength(0);

    // The logs tell a leave, not a crash. Node a's last entry in cluster a says it left; node c drops its socket for that.
    const about = (node: IostateNode, down: string) =>
      node.io.log.events().flatMap((e) => (e.type === 'node.down' && e.down === down ? [`${e.node}: ${e.reason ?? 'crash'}`] : []));
    expect(c.io.log.events().find((e) => e.type === 'cluster.leave')).toMatchObject({ node: 'node-a', cluster: 'a' });
    expect(c.io.log.projections.sessions.socket('/', serverId(onA))).toMatchObject({ status: 'left', lost: { cause: 'node left' } });
    // Node a forgot node c's sockets as out of sight: it left their cluster.
    expect(about(a, 'node-c')).toEqual(['node-a: this node left']);
    expect(a.io.log.projections.sessions.socket('/', serverId(onC))).toMatchObject({ status: 'left', lost: { cause: 'this node left' } });
    // Past the time node c's liveness check could call node a down (heartbeatTimeout + 2 s after it connected), it has not.
    await sleep(Math.max(0, started + FAST.heartbeatTimeout + 2000 + 3 * FAST.heartbeatInterval - Date.now()));
    expect(about(c, 'node-a')).toEqual(['node-c: left']);
    // The streams: cluster a's replay shows node a's connection out of sight; cluster b's never heard of a leave.
    const [logA, logB] = await Promise.all([readClusterLog({ redis: onRedis.redis.url, key: 'a' }), readClusterLog({ redis: onRedis.redis.url, key: 'b' })]);
    const inA = replay(logA.events).connections.find((connection) => connection.node === 'node-a');
    expect(inA).toMatchObject({ state: 'left' });
    expect(inA?.explanation).toMatch(/^no close recorded: node node-a left the cluster at /);
    expect(logB.events.filter((e) => e.type === 'cluster.leave' || e.type === 'node.down')).toEqual([]);
  });

  it('other settings on the same key and Redis: a new node takes over, in the cluster all along', async () => {
    const [a, b] = await Promise.all([startIostateNode('node-a', { url: onRedis.redis.url }), startIostateNode('node-b', { url: onRedis.redis.url })]);
    nodes.push(a, b);
    const [onA, onB] = await Promise.all([connect(2, a.port), connect(4, b.port)]);
    clients.push(onA, onB);
    await waitFor('nodes a and b to hold each other’s socket', () => holds(b, onA) && holds(a, onB));
    const replaced = a.adapter().node;
    const errors: Error[] = [];

    a.io.adapter(redisAdapter({ ...FAST, url: onRedis.redis.url, requestsTimeout: 2000 }));
    const current = a.adapter();
    current.on('error', (error: Error) => errors.push(error));
    await current.ready();
    expect(current.node).not.toBe(replaced);

    // Past the time node b waits before declaring anyone down, and a few of its checks more.
    await sleep(FAST.heartbeatTimeout + 2000 + 4 * FAST.heartbeatInterval);
    expect(holds(b, onA), 'node b never lost node a').toBe(true);
    expect(holds(a, onB), 'node a kept node b’s socket').toBe(true);
    expect(errors.map((error) => error.message)).toEqual([]);
    const hellos = collect(onA, 'hello');
    b.io.emit('hello');
    await markerFrom(b, onA);
    expect(hellos).toHaveLength(1);

    const probe = new Redis(onRedis.redis.url);
    try {
      const entries = (await probe.xrange('socket.io-log', '-', '+')) as [string, string[]][];
      const starts = entries.filter(([, fields]) => fields[1].includes('"server.start"') && fields[1].includes('"node-a"'));
      expect(starts, 'node a’s events were not written again').toHaveLength(1);
    } finally {
      probe.disconnect();
    }
  });

  it('the same Redis by another name or client: the same cluster, where a new node takes over with the new connections', async () => {
    const [a, b] = await Promise.all([startIostateNode('node-a', { url: onRedis.redis.url }), startIostateNode('node-b', { url: onRedis.redis.url })]);
    nodes.push(a, b);
    const [onA, onB] = await Promise.all([connect(4, a.port), connect(2, b.port)]);
    clients.push(onA, onB);
    await waitFor('nodes a and b to hold each other’s socket', () => holds(b, onA) && holds(a, onB));
    // The harness's url names 127.0.0.1; localhost is the same server, and so is a client of the user's connected there.
    const port = onRedis.redis.port;
    const pubClient = new Redis(`redis://localhost:${port}`);
    const subClient = new Redis(`redis://localhost:${port}`);
    try {
      for (const options of [{ host: 'localhost', port }, { url: `redis://localhost:${port}/0` }, { pubClient, subClient }]) {
        const replaced = a.adapter().node;
        a.io.adapter(redisAdapter({ ...FAST, ...options }));
        a.adapter().on('error', () => {});
        await a.adapter().ready();
        expect(a.adapter().node, 'its own connections').not.toBe(replaced);
      }
      // Past the time node b waits before declaring anyone down, and a few of its checks more.
      await sleep(FAST.heartbeatTimeout + 2000 + 4 * FAST.heartbeatInterval);
      expect(holds(b, onA), 'node b never lost node a').toBe(true);
      expect(holds(a, onB), 'node a kept node b’s socket').toBe(true);
      const leaves = (node: IostateNode) => node.io.log.events().filter((e) => e.type === 'node.down' || e.type === 'cluster.leave');
      expect(leaves(a)).toEqual([]);
      expect(leaves(b)).toEqual([]);
      const hellos = collect(onA, 'hello');
      b.io.emit('hello');
      await markerFrom(b, onA);
      expect(hellos).toHaveLength(1);
      const entries = (await pubClient.xrange('socket.io-log', '-', '+')) as [string, string[]][];
      const starts = entries.filter(([, fields]) => fields[1]!.includes('"server.start"') && fields[1]!.includes('"node-a"'));
      expect(starts, 'node a’s events were not written again').toHaveLength(1);
      await Promise.all(nodes.splice(0).map((node) => node.close()));
    } finally {
      pubClient.disconnect();
      subClient.disconnect();
    }
  });

  it('another key on the same clients of the user: they stay open and move to the new channels', async () => {
    const pubClient = new Redis(onRedis.redis.url);
    const subClient = new Redis(onRedis.redis.url);
    try {
      const [a, b] = await Promise.all([
        startIostateNode('node-a', { pubClient, subClient, key: 'a' }),
        startIostateNode('node-b', { url: onRedis.redis.url, key: 'b' }),
      ]);
      nodes.push(a, b);
      const onA = await connect(4, a.port);
      clients.push(onA);

      a.io.adapter(redisAdapter({ ...FAST, pubClient, subClient, key: 'b' }));
      a.adapter().on('error', () => {});
      await a.adapter().ready();
      const hellos = collect(onA, 'hello');
      b.io.emit('hello');
      await markerFrom(b, onA);
      expect(hellos).toHaveLength(1);
      await waitFor('node a’s old node to be gone from cluster a', async () => (await pubClient.exists('a-node#node-a')) === 0);
      const [, subscribers] = (await pubClient.call('PUBSUB', 'NUMSUB', 'a-request#/#')) as [string, number];
      expect(subscribers).toBe(0);
      expect([pubClient.status, subClient.status]).toEqual(['ready', 'ready']);
      await Promise.all(nodes.splice(0).map((node) => node.close()));
    } finally {
      pubClient.disconnect();
      subClient.disconnect();
    }
  });
});
