// The package is compiled once, to CommonJS; the ESM entries re-export it so that
// `import { Server } from 'iostate'` and `require('iostate')` share one module
// instance (no dual-package hazard: one Server class, one set of namespaces).
// Each entry re-exports every name its CommonJS module exports, read from the
// built module itself, so the two never drift apart.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** dist/esm/<name>.mjs re-exports the CommonJS module at dist/cjs/<path>. */
const entries = {
  index: 'index.js',
  redis: 'redis.js',
  inspect: 'inspect/index.js',
  log: 'log/index.js',
  v4: 'v4.js',
};

mkdirSync(new URL('../dist/esm/', import.meta.url), { recursive: true });
for (const [entry, path] of Object.entries(entries)) {
  const names = Object.keys(require(`../dist/cjs/${path}`)).filter((name) => name !== 'default' && name !== '__esModule');
  const lines = [`import cjs from '../cjs/${path}';`, ...names.map((name) => `export const ${name} = cjs.${name};`), 'export default cjs;', ''];
  writeFileSync(new URL(`../dist/esm/${entry}.mjs`, import.meta.url), lines.join('\n'));
}
