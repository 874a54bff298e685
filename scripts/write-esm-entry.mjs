// The package is compiled once, to CommonJS; the ESM entries re-export it so that
// `import { Server } from 'iostate'` and `require('iostate')` share one module
// instance (no dual-package hazard: one Server class, one set of namespaces).
import { mkdirSync, writeFileSync } from 'node:fs';

/** dist/esm/<name>.mjs re-exports these names of dist/cjs/<name>.js. */
const entries = {
  index: [
    'Server', 'Namespace', 'Socket', 'Client', 'Adapter',
    'EventLog', 'createEventLog', 'MemorySink', 'JsonlFileSink',
    'readLog', 'replay', 'replayJson', 'explainConnection', 'explainSocket',
    'buildSnapshot', 'createInspectorHandler', 'renderTimelineHtml',
  ],
  redis: ['redisAdapter', 'RedisAdapter', 'RequestTimeoutError', 'RedisStreamSink', 'readClusterLog', 'setupPrimary', 'setupWorker', 'pickWorker'],
};

mkdirSync(new URL('../dist/esm/', import.meta.url), { recursive: true });
for (const [entry, names] of Object.entries(entries)) {
  const lines = [
    `import cjs from '../cjs/${entry}.js';`,
    ...names.map((name) => `export const ${name} = cjs.${name};`),
    'export default cjs;',
    '',
  ];
  writeFileSync(new URL(`../dist/esm/${entry}.mjs`, import.meta.url), lines.join('\n'));
}
