// One server for long-rooms.mjs: an app that joins, emits to and leaves
// whatever room names its client sends (as `socket.on('join', (name) =>
// socket.join(name))` does), answering each request with its own CPU time.
// argv: impl (iostate | iostate-v4 | socketio2 | socketio4), iostate's src dir.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const require = createRequire(import.meta.url);
const [impl, srcDir = new URL('../../src', import.meta.url).pathname] = process.argv.slice(2);

async function load() {
  switch (impl) {
    case 'iostate':
      return (await import(resolve(srcDir, 'index.ts'))).default;
    case 'iostate-v4':
      return (await import(resolve(srcDir, 'v4.ts'))).Server;
    case 'socketio2':
      return require('socket.io-v2');
    case 'socketio4':
      return require('socket.io').Server;
    default:
      throw new Error(`unknown implementation ${impl}`);
  }
}

const Factory = await load();
const httpServer = createServer();
const options = { perMessageDeflate: false, maxHttpBufferSize: 2e6 };
const io = impl === 'iostate-v4' || impl === 'socketio4' ? new Factory(httpServer, options) : Factory(httpServer, options);

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

io.on('connection', (socket) => {
  socket.on('mark', (ack) => ack(cpuMs()));
  socket.on('join', (names, ack) => {
    for (const name of names) socket.join(name);
    ack();
  });
  socket.on('emit', (names, ack) => {
    for (const name of names) io.to(name).emit('m', name.length);
    ack();
  });
  // The socket leaves every room as it goes, so its client cannot be answered: the parent process is.
  socket.on('bye', () => {
    const before = cpuMs();
    socket.disconnect(true);
    setImmediate(() => process.send({ disconnect: cpuMs() - before }));
  });
  socket.on('leave', (names, ack) => {
    for (const name of names) socket.leave(name);
    ack();
  });
});

httpServer.listen(0, '127.0.0.1', () => process.send({ port: httpServer.address().port }));
process.on('message', (message) => {
  if (message === 'stop') process.exit(0);
});
