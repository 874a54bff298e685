// Three iostate processes on one Redis, clients of both generations spread
// across them: room broadcasts reach exactly the right clients once,
// clients() agrees on every node, a SIGKILLed node's sockets disappear
// everywhere within the liveness bound while the others keep serving, and
// `iostate replay` reads the merged log.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClusterLog } from '../../src/redis';
import { skipWithoutRedis, startRedis, type TestRedis } from '../redis/redis-server';
import { connect, serverId, sleep, waitFor, type TestSocket } from '../redis/cluster-harness';
import { START_DEADLINE, ask, root, spawnNode as spawnScript, type SpawnedNode } from './spawn-node';

const HEARTBEAT_INTERVAL = 200;
const HEARTBEAT_TIMEOUT = 1000;

interface NodeProcess extends SpawnedNode {
  control: TestSocket;
}

function spawnNode(name: string, redisUrl: string): Promise<SpawnedNode> {
  return spawnScript('test/cluster/node-process.ts', name, {
    REDIS_URL: redisUrl,
    HEARTBEAT_INTERVAL: String(HEARTBEAT_INTERVAL),
    HEARTBEAT_TIMEOUT: String(HEARTBEAT_TIMEOUT),
  });
}

describe.skipIf(skipWithoutRedis('multi-process cluster'))('three iostate processes on one Redis', () => {
  let redis: TestRedis;
  let nodes: NodeProcess[] = [];
  const clients: TestSocket[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'iostate-cluster-'));

  beforeAll(async () => {
    redis = await startRedis();
    const started = await Promise.all(['p0', 'p1', 'p2'].map((name) => spawnNode(name, redis.url)));
    nodes = await Promise.all(started.map(async (node) => ({ ...node, control: await connect(4, node.port, '/control') })));
  }, START_DEADLINE + 10_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    for (const node of nodes) {
      node.control.close();
      node.child.kill('SIGKILL');
    }
    await redis?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('broadcasts, clients(), SIGKILL of a node, and replay of the merged log', async () => {
    // Six clients: a 2.x and a 4.x on each node.
    const layout = nodes.flatMap((node) => [2, 4].map((generation) => ({ node, generation: generation as 2 | 4 })));
    const sockets = await Promise.all(layout.map(({ node, generation }) => connect(generation, node.port)));
    clients.push(...sockets);
    const ids = sockets.map((socket) => serverId(socket));
    const rooms: string[][] = [['red'], ['red', 'blue'], ['blue'], [], ['red'], ['blue', 'green']];
    await Promise.all(layout.map(({ node }, i) => (rooms[i]!.length > 0 ? ask(node.control, 'join', ids[i], rooms[i]) : undefined)));

    const everyone = [...ids].sort();
    const membersOf = (room: string) => ids.filter((_, i) => rooms[i]!.includes(room)).sort();
    await waitFor('every node to list every socket and room', async () => {
      for (const node of nodes) {
        if (JSON.stringify(await ask(node.control, 'clients', null)) !== JSON.stringify(everyone)) return false;
        for (const room of ['red', 'blue', 'green'])
          if (JSON.stringify(await ask(node.control, 'clients', room)) !== JSON.stringify(membersOf(room))) return false;
      }
      return true;
    });

    const got = sockets.map(() => [] as string[]);
    sockets.forEach((socket, i) => socket.on('news', (payload: unknown) => got[i]!.push(String(payload))));
    await ask(nodes[0]!.control, 'emit', ['red'], 'red from p0');
    await ask(nodes[1]!.control, 'emit', ['blue', 'green'], 'blue+green from p1');
    await ask(nodes[2]!.control, 'emit', ['red', 'blue'], 'red+blue from p2');
    await ask(nodes[2]!.control, 'emit', [], 'all from p2');
    const expected = rooms.map((joined) =>
      [
        ...(joined.includes('red') ? ['red from p0'] : []),
        ...(joined.includes('blue') || joined.includes('green') ? ['blue+green from p1'] : []),
        ...(joined.includes('red') || joined.includes('blue') ? ['red+blue from p2'] : []),
        'all from p2',
      ].sort(),
    );
    await waitFor('every broadcast', () => got.every((list, i) => list.length >= expected[i]!.length));
    await sleep(200);
    expect(got.map((list) => [...list].sort())).toEqual(expected);

    // Past the liveness grace after connecting (heartbeatTimeout + 2 s), a death is seen within heartbeatTimeout + interval.
    await sleep(Math.max(0, nodes[2]!.startedAt + HEARTBEAT_TIMEOUT + 2000 + HEARTBEAT_INTERVAL - Date.now()));
    const killedAt = Date.now();
    nodes[2]!.child.kill('SIGKILL');
    const survivors = nodes.slice(0, 2);
    const remaining = ids.slice(0, 4).sort();
    await waitFor(
      'the killed node sockets to leave every projection',
      async () => {
        for (const node of survivors) if (JSON.stringify(await ask(node.control, 'projection')) !== JSON.stringify(remaining)) return false;
        return true;
      },
      10_000,
    );
    const removedAfter = Date.now() - killedAt;
    // The bound (heartbeatTimeout + heartbeatInterval), one more interval for the key to expire between checks, and slack for a loaded machine.
    expect(removedAfter).toBeLessThanOrEqual(HEARTBEAT_TIMEOUT + 2 * HEARTBEAT_INTERVAL + 1000);
    for (const node of survivors) expect(await ask(node.control, 'clients', null)).toEqual(remaining);

    const after = sockets.slice(0, 4).map(() => [] as string[]);
    sockets.slice(0, 4).forEach((socket, i) => socket.on('news', (payload: unknown) => after[i]!.push(String(payload))));
    await ask(nodes[1]!.control, 'emit', ['red'], 'red after the kill');
    await waitFor('delivery after the kill', () => after[0]!.length === 1 && after[1]!.length === 1);
    await sleep(100);
    expect(after).toEqual([['red after the kill'], ['red after the kill'], [], []]);

    // The merged log, replayed by the CLI, knows the same live sockets and the lost ones.
    const { events, invalid } = await readClusterLog({ redis: redis.url });
    expect(invalid).toEqual([]);
    expect(new Set(events.map((event) => event.node))).toEqual(new Set(['p0', 'p1', 'p2']));
    const file = join(tmp, 'merged.jsonl');
    writeFileSync(file, events.map((event) => JSON.stringify(event)).join('\n') + '\n');
    const replayed = await runCli(['replay', file, '--json']);
    const report = JSON.parse(replayed) as { sockets: { id: string; nsp: string; state: string; rooms: string[] }[] };
    const main = report.sockets.filter((socket) => socket.nsp === '/');
    expect(
      main
        .filter((socket) => socket.state === 'connected')
        .map((socket) => socket.id)
        .sort(),
    ).toEqual(remaining);
    expect(
      main
        .filter((socket) => socket.state === 'lost')
        .map((socket) => socket.id)
        .sort(),
    ).toEqual(ids.slice(4).sort());
    expect(main.find((socket) => socket.id === ids[1])!.rooms).toEqual(expect.arrayContaining(['red', 'blue']));
  }, 60_000);
});

function runCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`iostate ${args.join(' ')} exited with ${code}: ${stderr}`))));
  });
}
