// Cross-node broadcast throughput and latency: one iostate node (in-memory
// adapter, then Redis adapter) next to three nodes on one Redis, each node
// a process of its own, clients spread evenly. One node broadcasts
// `--messages` events to every client; the clients (raw Engine.IO v4 /
// Socket.IO v5 over ws, light enough not to be the bottleneck) note when
// each arrives.
//
//   node --import tsx scripts/cluster-bench.mjs [--clients 300] [--messages 1000] [--size 64] [--rate 200] [--rounds 3]
//
// Redis: REDIS_URL, else a redis-server started on a free port.
import { spawn, spawnSync } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import WebSocket from 'ws';
import { Redis } from 'ioredis';

if (process.argv[2] === '--node') await runNode();
else await main();

async function runNode() {
  const { createServer } = await import('node:http');
  const { Server } = await import('../src/actors/server.ts');
  const { redisAdapter } = await import('../src/redis.ts');
  const http = createServer();
  const io = new Server(http, { serveClient: false, eventLog: { node: process.env.NODE_NAME } });
  if (process.env.REDIS_URL) {
    io.adapter(redisAdapter({ url: process.env.REDIS_URL }));
    io.of('/').adapter.on('error', (error) => console.error(error.message));
    await io.of('/').adapter.ready();
  }
  io.of('/control').on('connection', (control) => {
    control.on('count', (ack) => io.of('/').clients((err, ids) => ack(err ? -1 : ids.length)));
    // perSecond 0: as fast as the node can (bursts of 50 per turn of the event loop); else paced every 10 ms.
    control.on('blast', (count, size, perSecond, ack) => {
      const payload = 'x'.repeat(size);
      let sent = 0;
      const burst = (howMany) => {
        for (let i = 0; i < howMany && sent < count; i++, sent++) io.emit('tick', Date.now(), payload);
      };
      if (perSecond === 0) {
        const next = () => {
          burst(50);
          if (sent < count) setImmediate(next);
          else ack();
        };
        next();
        return;
      }
      const timer = setInterval(() => {
        burst(Math.max(1, Math.round(perSecond / 100)));
        if (sent >= count) {
          clearInterval(timer);
          ack();
        }
      }, 10);
    });
  });
  http.listen(0, '127.0.0.1', () => console.log(`READY ${http.address().port}`));
}

async function main() {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string', default: '300' },
      messages: { type: 'string', default: '1000' },
      size: { type: 'string', default: '64' },
      rate: { type: 'string', default: '200' },
      rounds: { type: 'string', default: '3' },
    },
  });
  const clients = Number(values.clients);
  const messages = Number(values.messages);
  const size = Number(values.size);
  const rate = Number(values.rate);
  const rounds = Number(values.rounds);
  const redis = await redisUrl();
  const scenarios = [
    { name: '1 node, in-memory adapter', nodes: 1, redis: undefined },
    { name: '1 node, Redis adapter', nodes: 1, redis: redis.url },
    { name: '3 nodes, Redis adapter', nodes: 3, redis: redis.url },
  ];
  // Each round runs every setup, starting with a different one; each row is the round with the median throughput.
  const samples = scenarios.map(() => []);
  try {
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < scenarios.length; k++) {
        const index = (k + round) % scenarios.length;
        process.stderr.write(`round ${round + 1}/${rounds}: ${scenarios[index].name}...\n`);
        samples[index].push(await runScenario(scenarios[index], clients, messages, size, rate));
      }
    }
  } finally {
    redis.stop();
  }
  const rows = scenarios.map((scenario, index) => {
    const sorted = [...samples[index]].sort((a, b) => a.deliveriesPerSecond - b.deliveriesPerSecond);
    return { scenario, ...sorted[Math.floor(sorted.length / 2)], spread: sorted.map((sample) => Math.round(sample.deliveriesPerSecond / 1000)).join(' / ') };
  });
  console.log(
    `\n${clients} clients; ${messages} broadcasts of ${size} bytes from one node as fast as it can, then ${rate}/s paced; median of ${rounds} round(s); ${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), Node ${process.version}\n`,
  );
  console.log('| setup | deliveries/s | broadcasts/s | burst p50 / p99 | paced p50 / p99 | all rounds (k deliveries/s) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    const count = (value) => Math.round(value).toLocaleString('en');
    console.log(
      `| ${row.scenario.name} | ${count(row.deliveriesPerSecond)} | ${count(row.broadcastsPerSecond)} | ${row.p50} / ${row.p99} ms | ${row.pacedP50} / ${row.pacedP99} ms | ${row.spread} |`,
    );
  }
}

async function runScenario(scenario, clientCount, messages, size, rate) {
  const nodes = [];
  if (scenario.redis) {
    // Each run starts from an empty cluster: no log to catch up on, no dead nodes to detect.
    const redis = new Redis(scenario.redis);
    await redis.flushall();
    redis.disconnect();
  }
  try {
    for (let i = 0; i < scenario.nodes; i++) nodes.push(await spawnNode(`bench-${i}`, scenario.redis));
    const sockets = await Promise.all(Array.from({ length: clientCount }, (_, i) => rawClient(nodes[i % nodes.length].port)));
    const control = await rawClient(nodes[0].port, '/control');
    await waitFor(async () => (await control.ask('count')) === clientCount);
    await blast(control, sockets, 100, size, 0);
    const burst = await blast(control, sockets, messages, size, 0);
    const paced = await blast(control, sockets, Math.min(messages, rate * 3), size, rate);
    return { ...burst, pacedP50: paced.p50, pacedP99: paced.p99 };
  } finally {
    for (const node of nodes) node.child.kill('SIGKILL');
  }
}

async function blast(control, sockets, messages, size, perSecond) {
  for (const socket of sockets) socket.reset();
  const start = Date.now();
  await control.ask('blast', messages, size, perSecond);
  await waitFor(() => sockets.every((socket) => socket.received === messages), 60_000);
  const end = Math.max(...sockets.map((socket) => socket.last));
  const latencies = sockets.flatMap((socket) => socket.latencies).sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  const seconds = Math.max(1, end - start) / 1000;
  return { deliveriesPerSecond: (messages * sockets.length) / seconds, broadcastsPerSecond: messages / seconds, p50: at(0.5), p99: at(0.99) };
}

/** A minimal Socket.IO v5 client over a raw WebSocket: connects to `nsp`, answers pings, counts `tick` events, makes acked calls. */
function rawClient(port, nsp = '/') {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
    const prefix = nsp === '/' ? '' : `${nsp},`;
    const acks = new Map();
    let nextAck = 0;
    const client = {
      received: 0,
      last: 0,
      latencies: [],
      reset() {
        this.received = 0;
        this.latencies = [];
      },
      ask(event, ...args) {
        const id = nextAck++;
        ws.send(`42${prefix}${id}${JSON.stringify([event, ...args])}`);
        return new Promise((done) => acks.set(id, done));
      },
    };
    ws.on('error', reject);
    ws.on('message', (data) => {
      const text = data.toString();
      if (text[0] === '0') return ws.send(`40${prefix}`);
      if (text === '2') return ws.send('3');
      if (text.startsWith(`40${prefix}`)) return resolve(client);
      if (text.startsWith('42["tick",')) {
        const now = Date.now();
        client.received++;
        client.last = now;
        client.latencies.push(now - Number(text.slice(10, text.indexOf(',', 10))));
        return;
      }
      const ack = /^43(?:\/control,)?(\d+)(.*)$/.exec(text);
      if (ack) {
        const [value] = JSON.parse(ack[2] || '[null]');
        acks.get(Number(ack[1]))?.(value);
        acks.delete(Number(ack[1]));
      }
    });
  });
}

function spawnNode(name, redis) {
  // BENCH_NODE_FLAGS: extra node flags for the node processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', new URL(import.meta.url).pathname, '--node'], {
    env: { ...process.env, NODE_NAME: name, REDIS_URL: redis ?? '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      const match = /READY (\d+)/.exec(chunk.toString());
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
}

async function redisUrl() {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop() {} };
  if (spawnSync('redis-server', ['--version']).status !== 0) throw new Error('set REDIS_URL or install redis-server');
  const port = await new Promise((resolve) => {
    const server = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

async function waitFor(check, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
