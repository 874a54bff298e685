// A load generator process: holds a share of the scenario's clients and runs
// the commands the orchestrator sends over IPC (connect, count broadcast
// deliveries, drive bursts, ack round trips, close).
import { performance } from 'node:perf_hooks';
import { serveRpc } from '../lib/ipc.mjs';
import { RawSocketIoClient } from './raw-client.mjs';

let clients = [];
let deliveries = null; // the armed delivery count: { expected, done, resolve, promise }
let onDriverDelivery = () => {};

function clientUrl(port, room) {
  const query = room ? `&room=${encodeURIComponent(room)}` : '';
  return `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket${query}`;
}

function roomOf(index, { room, rooms }) {
  if (!room) return '';
  return rooms > 1 ? `${room}-${index % rooms}` : room;
}

/** Opens `count` clients (each with its socket on `/` and on each of `namespaces`), at most `concurrency` handshakes in flight (an unbounded burst would overflow the accept backlog). */
async function connect({ port, count, room, rooms = 1, indexOffset = 0, concurrency, timeoutMs, namespaces = [] }) {
  const opened = new Array(count);
  let next = 0;
  let failed = 0;
  let firstError = null;
  const started = performance.now();
  const connectNext = async () => {
    while (next < count) {
      const index = next++;
      const client = new RawSocketIoClient();
      try {
        await client.connect(clientUrl(port, roomOf(indexOffset + index, { room, rooms })), timeoutMs);
        // More sockets on the same connection: one per extra namespace.
        for (const nsp of namespaces) await client.openNamespace(nsp, timeoutMs);
        opened[index] = client;
      } catch (error) {
        failed += 1;
        firstError ??= String(error?.message ?? error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, connectNext));
  const elapsedMs = performance.now() - started;
  const connected = opened.filter(Boolean);
  clients.push(...connected);
  return { elapsedMs, connected: connected.length, failed, firstError };
}

/** Resets every client's delivery count; `awaitDeliveries` resolves once each got `expected`. */
function armDeliveries({ expected }) {
  let resolve;
  const promise = new Promise((done) => (resolve = done));
  deliveries = { expected, done: 0, resolve, promise };
  if (clients.length === 0 || expected === 0) resolve();
  clients.forEach((client, index) => {
    let received = 0;
    client.onEvent = () => {
      received += 1;
      if (index === 0) onDriverDelivery(received);
      if (received === expected && ++deliveries.done === clients.length) deliveries.resolve();
    };
  });
  return { clients: clients.length };
}

/**
 * The first client asks the server for bursts of `burst` messages, keeping at
 * most `window` bursts ahead of what it has itself received, so the server's
 * send buffers stay bounded while it is never idle.
 */
function driveBursts({ messages, burst, window, kind }) {
  const driver = clients[0];
  if (!driver) throw new Error('no client to drive the broadcast');
  let sent = 0;
  const pump = (received) => {
    while (sent < messages && sent - received < window * burst) {
      const count = Math.min(burst, messages - sent);
      driver.emit('burst', `{"n":${count},"kind":"${kind}"}`);
      sent += count;
    }
  };
  onDriverDelivery = pump;
  pump(0);
  return {};
}

async function awaitDeliveries() {
  if (!deliveries) throw new Error('deliveries were not armed');
  await deliveries.promise;
  const result = { deliveries: deliveries.expected * clients.length };
  deliveries = null;
  onDriverDelivery = () => {};
  return result;
}

/** Every client runs `perClient` emit-with-ack round trips back to back; returns latencies in microseconds. */
async function ackRoundTrips({ perClient, payload }) {
  const latenciesUs = [];
  let failed = 0;
  const dataJson = JSON.stringify(payload);
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      for (let i = 0; i < perClient; i += 1) {
        const sentAt = performance.now();
        try {
          await client.emitWithAck('echo', dataJson);
          latenciesUs.push((performance.now() - sentAt) * 1000);
        } catch {
          failed += 1;
          return;
        }
      }
    }),
  );
  return { elapsedMs: performance.now() - started, latenciesUs, failed };
}

function closeAll() {
  for (const client of clients) client.close();
  const closed = clients.length;
  clients = [];
  return { closed };
}

serveRpc({
  connect,
  'arm-deliveries': armDeliveries,
  'drive-bursts': driveBursts,
  'await-deliveries': awaitDeliveries,
  'ack-round-trips': ackRoundTrips,
  close: closeAll,
  exit: () => process.exit(0),
});
process.send({ type: 'ready', pid: process.pid });
