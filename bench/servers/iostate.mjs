// iostate, loaded from the compiled package (dist/, or the build that
// BENCH_IOSTATE_ENTRY points at, so a long run is immune to rebuilds), with its
// event log on or off as BENCH_EVENT_LOG says, and connection state recovery
// on where BENCH_RECOVERY=on. As the `iostate-b` server
// (BENCH_IOSTATE_BUILD=B) it loads BENCH_IOSTATE_B_ENTRY instead, the other
// side of an A/B. Reports itself unavailable, instead of failing, while the
// build does not export the socket.io 2.x style factory.
import { resolve } from 'node:path';
import { createRequire } from 'node:module';
import { hostBenchServer, reportUnavailable } from './host.mjs';

const require = createRequire(import.meta.url);
const buildB = process.env.BENCH_IOSTATE_BUILD === 'B';
const chosen = buildB ? process.env.BENCH_IOSTATE_B_ENTRY : process.env.BENCH_IOSTATE_ENTRY;
const entry = chosen ? resolve(chosen) : buildB ? undefined : new URL('../../dist/cjs/index.js', import.meta.url).pathname;
const eventLog = process.env.BENCH_EVENT_LOG !== 'off';
// Connection state recovery with socket.io 4's defaults, for the recovery rows.
const recovery = process.env.BENCH_RECOVERY === 'on' ? { connectionStateRecovery: {} } : {};

let createServer;
try {
  createServer = entry === undefined ? undefined : require(entry);
} catch (error) {
  createServer = error;
}

if (entry === undefined) {
  reportUnavailable('iostate B needs BENCH_IOSTATE_B_ENTRY: the index.js of another build (see docs/performance.md)');
} else if (typeof createServer !== 'function') {
  const why = createServer instanceof Error ? createServer.message : 'it does not export a function';
  reportUnavailable(`iostate is not runnable from ${entry} (run npm run build): ${why}`);
} else {
  hostBenchServer({
    name: buildB ? 'iostate B' : eventLog ? `iostate${recovery.connectionStateRecovery ? ' (recovery on)' : ''}` : 'iostate (event log off)',
    version: require('../../package.json').version,
    // Default options except the one under test: the log is on unless turned off.
    attach: (httpServer) => createServer(httpServer, { perMessageDeflate: false, ...recovery, ...(eventLog ? {} : { eventLog: false }) }),
  });
}
