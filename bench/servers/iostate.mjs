// iostate, loaded from the compiled package (dist/), with its event log on or
// off as BENCH_EVENT_LOG says. Reports itself unavailable, instead of failing,
// while dist/ does not yet export the socket.io 2.x style factory.
import { createRequire } from 'node:module';
import { hostBenchServer, reportUnavailable } from './host.mjs';

const require = createRequire(import.meta.url);
const entry = new URL('../../dist/cjs/index.js', import.meta.url);
const eventLog = process.env.BENCH_EVENT_LOG !== 'off';

let createServer;
try {
  createServer = require(entry.pathname);
} catch (error) {
  createServer = error;
}

if (typeof createServer !== 'function') {
  const why = createServer instanceof Error ? createServer.message : 'it does not export a function';
  reportUnavailable(`iostate is not runnable from dist/cjs/index.js (run npm run build): ${why}`);
} else {
  hostBenchServer({
    name: eventLog ? 'iostate' : 'iostate (event log off)',
    version: require('../../package.json').version,
    // Default options except the one under test: the log is on unless turned off.
    attach: (httpServer) => createServer(httpServer, { perMessageDeflate: false, ...(eventLog ? {} : { eventLog: false }) }),
  });
}
