// What each scenario does, from the orchestrator's seat: it gets a started
// server (`server.rpc` reaches its control channel) and a load generator, and
// returns one round's figures. Server CPU is process.cpuUsage() of the server
// process (user + system, all its threads) between a mark and a read around
// the measured phase only; warm-ups happen before the mark.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { quantile } from './stats.mjs';

const WARMUP_CONNECTIONS = 50;
const WARMUP_MESSAGES = 20;
const WARMUP_ACKS_PER_CLIENT = 5;
const ACK_PAYLOAD = { text: 'ping', n: 42 };

function requireAll(result, wanted, what) {
  if (result.connected !== wanted) {
    throw new Error(`${what}: ${result.connected}/${wanted} clients connected (${result.failed} failed: ${result.firstError})`);
  }
}

async function connectClients(ctx, count, room = '', rooms = 1) {
  const result = await ctx.load.connect({
    port: ctx.port,
    count,
    room,
    rooms,
    concurrency: ctx.sizes.concurrency,
    timeoutMs: ctx.sizes.timeout,
  });
  requireAll(result, count, 'connect');
  return result;
}

/** Connects and closes a few clients so both servers start the measured phase warm, then lets the closes settle. */
async function warmUpConnections(ctx, count) {
  await connectClients(ctx, Math.min(WARMUP_CONNECTIONS, count));
  await ctx.load.closeAll();
  await sleep(ctx.smoke ? 50 : 300);
}

async function connectScenario(ctx) {
  const count = ctx.sizes['connect-clients'];
  await warmUpConnections(ctx, count);
  await ctx.server.rpc('cpu-mark');
  const result = await connectClients(ctx, count);
  const cpu = await ctx.server.rpc('cpu-read');
  return {
    connectionsPerSec: count / (result.elapsedMs / 1000),
    cpuPerConnectionUs: cpu.totalUs / count,
  };
}

async function memoryScenario(ctx) {
  const count = ctx.sizes['memory-clients'];
  await warmUpConnections(ctx, count);
  const before = await ctx.server.rpc('memory');
  await connectClients(ctx, count, 'room', ctx.sizes['memory-rooms']);
  await sleep(ctx.smoke ? 50 : 500);
  const after = await ctx.server.rpc('memory');
  if (ctx.heapSnapshotPath) await ctx.server.rpc('heap-snapshot', { path: ctx.heapSnapshotPath }, 600_000);
  return {
    heapPerSocketBytes: (after.heapUsed - before.heapUsed) / count,
    rssPerSocketBytes: (after.rss - before.rss) / count,
    externalPerSocketBytes: (after.external - before.external) / count,
  };
}

/** Shared by the JSON and binary broadcasts: all clients in one room, bursts driven by the first client. */
async function broadcastRun(ctx, { clients, messages, burst, kind }) {
  const count = ctx.sizes[clients];
  await connectClients(ctx, count, kind === 'binary' ? 'binary' : 'broadcast');
  const plan = { burst: ctx.sizes[burst], window: ctx.sizes.window, kind };
  const warmUp = await ctx.load.armBroadcast({ ...plan, expected: WARMUP_MESSAGES, messages: WARMUP_MESSAGES });
  await warmUp.run();

  const total = ctx.sizes[messages];
  const measured = await ctx.load.armBroadcast({ ...plan, expected: total, messages: total });
  await ctx.server.rpc('cpu-mark');
  const started = performance.now();
  const { deliveries } = await measured.run();
  const elapsedMs = performance.now() - started;
  const cpu = await ctx.server.rpc('cpu-read');
  return {
    deliveriesPerSec: deliveries / (elapsedMs / 1000),
    cpuPerDeliveryUs: cpu.totalUs / deliveries,
    serverCpuShare: cpu.totalUs / 1000 / elapsedMs,
  };
}

async function acksScenario(ctx) {
  const count = ctx.sizes['ack-clients'];
  await connectClients(ctx, count);
  await ctx.load.ackRoundTrips({ perClient: WARMUP_ACKS_PER_CLIENT, payload: ACK_PAYLOAD });
  const perClient = ctx.sizes['ack-rounds'];
  await ctx.server.rpc('cpu-mark');
  const result = await ctx.load.ackRoundTrips({ perClient, payload: ACK_PAYLOAD });
  const cpu = await ctx.server.rpc('cpu-read');
  if (result.failed > 0) throw new Error(`acks: ${result.failed} clients lost their connection`);
  const acks = result.latenciesUs.length;
  return {
    acksPerSec: acks / (result.elapsedMs / 1000),
    p50LatencyMs: quantile(result.latenciesUs, 0.5) / 1000,
    p99LatencyMs: quantile(result.latenciesUs, 0.99) / 1000,
    cpuPerAckUs: cpu.totalUs / acks,
  };
}

export const SCENARIO_RUNNERS = {
  connect: connectScenario,
  memory: memoryScenario,
  broadcast: (ctx) =>
    broadcastRun(ctx, {
      clients: 'broadcast-clients',
      messages: 'broadcast-messages',
      burst: 'broadcast-burst',
      kind: 'json',
    }),
  binary: (ctx) =>
    broadcastRun(ctx, {
      clients: 'binary-clients',
      messages: 'binary-messages',
      burst: 'binary-burst',
      kind: 'binary',
    }),
  acks: acksScenario,
};
