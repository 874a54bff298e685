// Server CPU when one client joins N long room names of one length that
// differ only at the end, then has the server emit to each and leave them,
// then joins them again and is disconnected by the server.
// V8 hashes strings past 16,383 characters by their length alone, so every
// map keyed by such names makes each lookup compare them all.
//   node bench/long-rooms.mjs [--n 250,500,1000] [--length 20000]
//     [--impl iostate,iostate-v4,socketio2,socketio4] [--src <iostate src dir>]
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '250,500,1000' },
    length: { type: 'string', default: '20000' },
    impl: { type: 'string', default: 'iostate,iostate-v4,socketio2,socketio4' },
    src: { type: 'string' },
    batch: { type: 'string', default: '40' },
  },
});

const BATCH = Number(values.batch);

function startServer(impl) {
  const child = fork(new URL('./long-rooms/server.mjs', import.meta.url).pathname, [impl, ...(values.src ? [values.src] : [])], {
    execArgv: impl.startsWith('iostate') ? ['--import', 'tsx'] : [],
  });
  return new Promise((resolve, reject) => {
    child.once('message', ({ port }) => resolve({ child, port }));
    child.once('exit', (code) => reject(new Error(`${impl} exited with ${code}`)));
  });
}

function connect(impl, port) {
  const client = impl === 'socketio2' ? require('socket.io-client-v2') : require('socket.io-client');
  const socket = client(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

const ask = (socket, event, payload) => new Promise((resolve) => (payload === undefined ? socket.emit(event, resolve) : socket.emit(event, payload, resolve)));

async function inBatches(socket, event, names) {
  for (let i = 0; i < names.length; i += BATCH) await ask(socket, event, names.slice(i, i + BATCH));
}

async function measure(impl, n, length) {
  const { child, port } = await startServer(impl);
  const socket = await connect(impl, port);
  try {
    const names = Array.from({ length: n }, (_, i) => `${'r'.repeat(length - 8)}${String(i).padStart(8, '0')}`);
    let received = 0;
    socket.on('m', () => received++);
    const t0 = await ask(socket, 'mark');
    await inBatches(socket, 'join', names);
    const t1 = await ask(socket, 'mark');
    await inBatches(socket, 'emit', names);
    while (received < n) await new Promise((r) => setTimeout(r, 5));
    const t2 = await ask(socket, 'mark');
    await inBatches(socket, 'leave', names);
    const t3 = await ask(socket, 'mark');
    await inBatches(socket, 'join', names);
    const disconnected = new Promise((resolve) => child.on('message', (message) => message.disconnect !== undefined && resolve(message.disconnect)));
    socket.emit('bye');
    const disconnect = await disconnected;
    return { join: t1 - t0, emit: t2 - t1, leave: t3 - t2, disconnect };
  } finally {
    socket.close();
    child.send('stop');
  }
}

const results = [];
for (const impl of values.impl.split(',')) {
  for (const n of values.n.split(',').map(Number)) {
    const r = await measure(impl, n, Number(values.length));
    results.push({ impl, n, ...r });
    process.stdout.write(
      `${impl.padEnd(11)} N=${String(n).padStart(5)}  join ${r.join.toFixed(0).padStart(7)} ms  emit ${r.emit.toFixed(0).padStart(7)} ms  leave ${r.leave.toFixed(0).padStart(7)} ms  disconnect ${r.disconnect.toFixed(0).padStart(7)} ms  (server CPU)\n`,
    );
  }
}
