// socket.io 4, the incumbent: the baseline of every ratio. With
// BENCH_RECOVERY=on, connection state recovery on (its defaults).
import { createRequire } from 'node:module';
import { Server } from 'socket.io';
import { hostBenchServer } from './host.mjs';

const { version } = createRequire(import.meta.url)('socket.io/package.json');
const recovery = process.env.BENCH_RECOVERY === 'on' ? { connectionStateRecovery: {} } : {};

hostBenchServer({
  name: 'socket.io',
  version,
  // The load generator never offers permessage-deflate; saying it here too keeps both servers' settings visibly equal.
  attach: (httpServer) => new Server(httpServer, { perMessageDeflate: false, ...recovery }),
});
