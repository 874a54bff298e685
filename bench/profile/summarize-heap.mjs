// Summarizes a V8 .heapsnapshot (as written by `npm run bench -- --profile`
// at the end of the memory scenario): self size and count by kind and
// constructor, optionally divided by the number of sockets the server held.
//
//   node bench/profile/summarize-heap.mjs <file.heapsnapshot> [--per 5000] [--top 30] [--shapes]
//
// --shapes splits plain `Object`s by their first property names, which says
// what they are (a handshake, a state snapshot, a log event...).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string', default: '30' },
    per: { type: 'string', default: '1' },
    shapes: { type: 'boolean', default: false },
  },
});
if (positionals.length !== 1) {
  process.stderr.write('usage: node bench/profile/summarize-heap.mjs <file.heapsnapshot> [--per SOCKETS] [--top N]\n');
  process.exit(2);
}
const top = Number(values.top);
const per = Number(values.per);
const { snapshot, nodes, edges, strings } = JSON.parse(readFileSync(positionals[0], 'utf8'));
const fields = snapshot.meta.node_fields;
const typeNames = snapshot.meta.node_types[0];
const stride = fields.length;
const typeAt = fields.indexOf('type');
const nameAt = fields.indexOf('name');
const sizeAt = fields.indexOf('self_size');
const edgeCountAt = fields.indexOf('edge_count');
const edgeFields = snapshot.meta.edge_fields;
const edgeStride = edgeFields.length;
const edgeTypeAt = edgeFields.indexOf('type');
const edgeNameAt = edgeFields.indexOf('name_or_index');
const PROPERTY_EDGE = snapshot.meta.edge_types[0].indexOf('property');
const SHAPE_PROPERTIES = 6;

/** `Object{a,b,c}`: the first property names of a plain object, from its outgoing edges. */
function shapeOf(firstEdge, edgeCount) {
  const names = [];
  for (let e = firstEdge; e < firstEdge + edgeCount * edgeStride && names.length < SHAPE_PROPERTIES; e += edgeStride) {
    if (edges[e + edgeTypeAt] === PROPERTY_EDGE) names.push(strings[edges[e + edgeNameAt]]);
  }
  return `Object{${names.join(',')}}`;
}

// Names of strings and code objects are their contents: group those by kind only.
const NAMED_KINDS = new Set(['object', 'closure', 'native', 'hidden', 'array', 'object shape']);
const groups = new Map();
let totalBytes = 0;
let firstEdge = 0;
for (let index = 0; index < nodes.length; index += stride) {
  const kind = typeNames[nodes[index + typeAt]];
  const bytes = nodes[index + sizeAt];
  const edgeCount = nodes[index + edgeCountAt];
  const plain = strings[nodes[index + nameAt]];
  const name = values.shapes && kind === 'object' && plain === 'Object' ? shapeOf(firstEdge, edgeCount) : plain;
  firstEdge += edgeCount * edgeStride;
  const key = NAMED_KINDS.has(kind) ? `${kind}: ${name.length > 90 ? `${name.slice(0, 87)}...` : name}` : kind;
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
