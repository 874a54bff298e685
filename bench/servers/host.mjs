// The server side of every scenario, shared by all implementations: an HTTP
// server on a free port, the same Socket.IO handlers, and a control channel
// (IPC) through which the orchestrator reads this process's CPU time and
// memory. Each implementation's script only says how to attach its server.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import { writeHeapSnapshot } from 'node:v8';
import { serveRpc } from '../lib/ipc.mjs';

const BINARY_BYTES = Number(process.env.BENCH_BINARY_BYTES ?? 64 * 1024);

/** Same shape of user code for every server: join the room named in the query, broadcast bursts on request, echo acks. */
function installScenarioHandlers(io) {
  const binaryPayload = Buffer.alloc(BINARY_BYTES, 7);
  let sequence = 0;
  io.on('connection', (socket) => {
    const room = socket.handshake.query.room;
    if (typeof room === 'string' && room !== '') socket.join(room);
    socket.on('burst', (request) => {
      if (typeof room !== 'string' || room === '') return;
      const count = Number(request?.n) || 0;
      for (let i = 0; i < count; i += 1) {
        if (request.kind === 'binary') io.to(room).emit('bin', binaryPayload);
        else io.to(room).emit('m', { seq: sequence++, kind: 'tick' });
      }
    });
    socket.on('echo', (data, ack) => {
      if (typeof ack === 'function') ack(data);
    });
  });
}

/** Repeated full collections, so that what remains is what the sockets hold. */
function collectGarbage() {
  if (typeof globalThis.gc !== 'function') throw new Error('run the server with --expose-gc');
  for (let i = 0; i < 3; i += 1) globalThis.gc();
}

function cpuMicros(usage) {
  return { userUs: usage.user, systemUs: usage.system, totalUs: usage.user + usage.system };
}

/**
 * With BENCH_CPU_PROFILE=<path>, samples the CPU between a mark and a read
 * only, so the profile shows the measured phase and not start-up or warm-up.
 */
function phaseProfiler(path) {
  if (!path) return { start: async () => {}, stop: async () => {} };
  const session = new Session();
  session.connect();
  return {
    start: async () => {
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    },
    stop: async () => {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(path, JSON.stringify(profile));
    },
  };
}

/** The control channel every bench server answers: CPU time, memory after GC, heap snapshots, exit. */
export function serveControl() {
  const profiler = phaseProfiler(process.env.BENCH_CPU_PROFILE);
  let cpuMark = process.cpuUsage();
  serveRpc({
    'cpu-mark': async () => {
      await profiler.start();
      cpuMark = process.cpuUsage();
      return {};
    },
    'cpu-read': async () => {
      const usage = cpuMicros(process.cpuUsage(cpuMark));
      await profiler.stop();
      return usage;
    },
    memory: () => {
      collectGarbage();
      return process.memoryUsage();
    },
    'heap-snapshot': ({ path }) => {
      collectGarbage();
      return { path: writeHeapSnapshot(path) };
    },
    exit: () => process.exit(0),
  });
}

/** Listens on a free loopback port and tells the orchestrator where. */
export function listenAndAnnounce(httpServer, { name, version }) {
  httpServer.listen(0, '127.0.0.1', () => {
    process.send({ type: 'ready', name, version, port: httpServer.address().port, pid: process.pid });
  });
}

/**
 * Starts the bench server. `attach(httpServer)` returns a Socket.IO-compatible
 * server; a throw is reported as "unavailable" rather than crashing the run.
 */
export function hostBenchServer({ name, version, attach }) {
  const httpServer = createServer();
  try {
    installScenarioHandlers(attach(httpServer));
  } catch (error) {
    reportUnavailable(`${name} failed to start: ${error?.stack ?? error}`);
    return;
  }
  serveControl();
  listenAndAnnounce(httpServer, { name, version });
}

/** Lets a script report that its implementation cannot run (not built yet) instead of crashing. */
export function reportUnavailable(reason) {
  process.send({ type: 'unavailable', reason });
}
