// The package is compiled once, to CommonJS; the ESM entry re-exports it so that
// `import { Server } from 'iostate'` and `require('iostate')` share one module
// instance (no dual-package hazard: one Server class, one set of namespaces).
import { mkdirSync, writeFileSync } from 'node:fs';

const names = ['Server', 'Namespace', 'Socket', 'Client'];
const lines = [
  "import iostate from '../cjs/index.js';",
  ...names.map((name) => `export const ${name} = iostate.${name};`),
  'export default iostate;',
  '',
];
mkdirSync(new URL('../dist/esm/', import.meta.url), { recursive: true });
writeFileSync(new URL('../dist/esm/index.mjs', import.meta.url), lines.join('\n'));
