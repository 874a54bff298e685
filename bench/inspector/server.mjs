// The server of the inspector benchmark: iostate from dist/ with the
// inspector mounted (auth open: the benchmark is local), and namespaces /n1
// to /n5 beside '/', so one connection can carry six sockets. Each socket
// joins one of 100 shared rooms, as an application's would.
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import { serveRpc } from '../lib/ipc.mjs';

const require = createRequire(import.meta.url);
const createServer = require('../../dist/cjs/index.js');
const { createInspectorHandler } = require('../../dist/cjs/inspect/index.js');

const NAMESPACES = ['/', '/n1', '/n2', '/n3', '/n4', '/n5'];

const server = http.createServer((req, res) => {
  if (inspector(req, res) || baseInspector(req, res)) return;
  res.writeHead(404);
  res.end();
});
const io = createServer(server, { perMessageDeflate: false });
const inspector = createInspectorHandler(io, { auth: () => true });
// An A/B of the snapshot: another build's inspector (BENCH_BASE_DIST=<its dist/>) on the same server at /iostate-base.
const baseInspector = process.env.BENCH_BASE_DIST
  ? require(`${process.env.BENCH_BASE_DIST}/cjs/inspect/index.js`).createInspectorHandler(io, { auth: () => true, path: '/iostate-base' })
  : () => false;
let joined = 0;
for (const name of NAMESPACES) io.of(name).on('connection', (socket) => socket.join(`room-${joined++ % 100}`));

serveRpc({
  exit: () => process.exit(0),
  memory: () => process.memoryUsage(),
  // Before each CPU window: garbage left by the previous step (a 33 MB snapshot) is not the window's cost.
  gc: () => globalThis.gc?.(),
  // A CPU profile of what happens between the two calls (BENCH_PROFILE): the snapshot requests, without the connecting.
  profileStart: async () => {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  },
  profileStop: async ({ file }) => {
    const { profile } = await profiler.post('Profiler.stop');
    profiler.disconnect();
    writeFileSync(file, JSON.stringify(profile));
  },
});
let profiler;
server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', pid: process.pid, port: server.address().port, namespaces: NAMESPACES }));
