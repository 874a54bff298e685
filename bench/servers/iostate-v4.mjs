// iostate's socket.io 4 face (iostate/v4), event log on: the same engine as
// the `iostate` server behind socket.io 4's API, so the two faces can be
// compared with each other and with socket.io 4 in one run.
import { resolve } from 'node:path';
import { createRequire } from 'node:module';
import { hostBenchServer, reportUnavailable } from './host.mjs';

const require = createRequire(import.meta.url);
const entry = process.env.BENCH_IOSTATE_V4_ENTRY ? resolve(process.env.BENCH_IOSTATE_V4_ENTRY) : new URL('../../dist/cjs/v4.js', import.meta.url).pathname;

let face;
try {
  face = require(entry);
} catch (error) {
  face = error;
}

if (typeof face?.Server !== 'function') {
  const why = face instanceof Error ? face.message : 'it does not export Server';
  reportUnavailable(`iostate/v4 is not runnable from ${entry} (run npm run build): ${why}`);
} else {
  hostBenchServer({
    name: 'iostate/v4',
    version: require('../../package.json').version,
    attach: (httpServer) => new face.Server(httpServer, { perMessageDeflate: false }),
  });
}
