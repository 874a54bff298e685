// The server of the inspector benchmark: iostate from dist/ with the
// inspector mounted (auth open: the benchmark is local), and namespaces /n1
// to /n5 beside '/', so one connection can carry six sockets. Each socket
// joins one of 100 shared rooms, as an application's would.
import http from 'node:http';
import { createRequire } from 'node:module';
import { serveRpc } from '../lib/ipc.mjs';

const require = createRequire(import.meta.url);
const createServer = require('../../dist/cjs/index.js');
const { createInspectorHandler } = require('../../dist/cjs/inspect/index.js');

const NAMESPACES = ['/', '/n1', '/n2', '/n3', '/n4', '/n5'];

const server = http.createServer((req, res) => {
  if (inspector(req, res)) return;
  res.writeHead(404);
  res.end();
});
const io = createServer(server, { perMessageDeflate: false });
const inspector = createInspectorHandler(io, { auth: () => true });
let joined = 0;
for (const name of NAMESPACES) io.of(name).on('connection', (socket) => socket.join(`room-${joined++ % 100}`));

serveRpc({
  exit: () => process.exit(0),
  memory: () => process.memoryUsage(),
  // Before each CPU window: garbage left by the previous step (a 33 MB snapshot) is not the window's cost.
  gc: () => globalThis.gc?.(),
});
server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', pid: process.pid, port: server.address().port, namespaces: NAMESPACES }));
