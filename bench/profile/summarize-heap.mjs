// Summarizes a V8 .heapsnapshot (as written by `npm run bench -- --profile`
// at the end of the memory scenario): self size and count by kind and
// constructor, optionally divided by the number of sockets the server held.
//
//   node bench/profile/summarize-heap.mjs <file.heapsnapshot> [--per 5000] [--top 30]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' }, per: { type: 'string', default: '1' } },
});
if (positionals.length !== 1) {
  process.stderr.write('usage: node bench/profile/summarize-heap.mjs <file.heapsnapshot> [--per SOCKETS] [--top N]\n');
  process.exit(2);
}
const top = Number(values.top);
const per = Number(values.per);
const { snapshot, nodes, strings } = JSON.parse(readFileSync(positionals[0], 'utf8'));
const fields = snapshot.meta.node_fields;
const typeNames = snapshot.meta.node_types[0];
const stride = fields.length;
const typeAt = fields.indexOf('type');
const nameAt = fields.indexOf('name');
const sizeAt = fields.indexOf('self_size');

// Names of strings and code objects are their contents: group those by kind only.
const NAMED_KINDS = new Set(['object', 'closure', 'native', 'hidden', 'array', 'object shape']);
const groups = new Map();
let totalBytes = 0;
for (let index = 0; index < nodes.length; index += stride) {
  const kind = typeNames[nodes[index + typeAt]];
  const bytes = nodes[index + sizeAt];
  const name = strings[nodes[index + nameAt]];
  const key = NAMED_KINDS.has(kind) ? `${kind}: ${name.length > 60 ? `${name.slice(0, 57)}...` : name}` : kind;
  const group = groups.get(key) ?? { bytes: 0, count: 0 };
  group.bytes += bytes;
  group.count += 1;
  groups.set(key, group);
  totalBytes += bytes;
}

const unit = per > 1 ? `bytes per socket (÷ ${per})` : 'bytes';
const lines = [`${positionals[0]}: ${(totalBytes / 2 ** 20).toFixed(1)} MiB self size in total; ${unit}`, ''];
lines.push(`${'bytes'.padStart(10)} ${'count'.padStart(8)}  kind: name`);
for (const [key, group] of [...groups].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top)) {
  lines.push(`${(group.bytes / per).toFixed(0).padStart(10)} ${(group.count / per).toFixed(per > 1 ? 2 : 0).padStart(8)}  ${key}`);
}
process.stdout.write(`${lines.join('\n')}\n`);
