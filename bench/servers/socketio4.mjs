// socket.io 4, the incumbent: the baseline of every ratio.
import { createRequire } from 'node:module';
import { Server } from 'socket.io';
import { hostBenchServer } from './host.mjs';

const { version } = createRequire(import.meta.url)('socket.io/package.json');

hostBenchServer({
  name: 'socket.io',
  version,
  // The load generator never offers permessage-deflate; saying it here too keeps both servers' settings visibly equal.
  attach: (httpServer) => new Server(httpServer, { perMessageDeflate: false }),
});
