// Summarizes a V8 .cpuprofile (from `node --cpu-prof`, as written by
// `npm run bench -- --profile`): the functions that cost the most self time,
// the most total (inclusive) time, and self time by package.
//
//   node bench/profile/summarize-cpu.mjs <file.cpuprofile> [--top 25]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
if (positionals.length !== 1) {
  process.stderr.write('usage: node bench/profile/summarize-cpu.mjs <file.cpuprofile> [--top N]\n');
  process.exit(2);
}
const top = Number(values.top);
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));

const byId = new Map(profile.nodes.map((node) => [node.id, { ...node, selfUs: 0, parent: null }]));
for (const node of byId.values()) for (const child of node.children ?? []) byId.get(child).parent = node;
profile.samples.forEach((id, index) => (byId.get(id).selfUs += profile.timeDeltas[index] ?? 0));

// iostate's compiled modules, in dist/ or in a private build under bench/results/*.tmp (BENCH_IOSTATE_ENTRY).
const IOSTATE_BUILD = /(?:\/dist\/cjs|\/bench\/results\/[^/]+\.tmp)\/(.*)$/;

function shortUrl(url) {
  if (!url) return '';
  const packageAt = url.lastIndexOf('node_modules/');
  if (packageAt >= 0) return url.slice(packageAt + 'node_modules/'.length);
  const iostate = IOSTATE_BUILD.exec(url);
  if (iostate) return `iostate/${iostate[1]}`;
  const benchAt = url.indexOf('/bench/');
  return benchAt >= 0 ? url.slice(benchAt + 1) : url.replace('file://', '');
}

function keyOf({ callFrame }) {
  const name = callFrame.functionName || '(anonymous)';
  const where = shortUrl(callFrame.url);
  return where ? `${name}  ${where}:${callFrame.lineNumber + 1}` : name;
}

function packageOf({ callFrame }) {
  const url = callFrame.url;
  if (!url) return callFrame.functionName.startsWith('(') ? callFrame.functionName : '(native)';
  if (url.startsWith('node:')) return 'node core';
  const packageAt = url.lastIndexOf('node_modules/');
  if (packageAt >= 0) {
    const parts = url.slice(packageAt + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const iostate = IOSTATE_BUILD.exec(url);
  if (iostate) return `iostate/${iostate[1].split('/')[0]}`;
  return shortUrl(url);
}

// Inclusive time: a node's self time plus its subtree, counted once per function even under recursion.
function inclusive(node) {
  let total = node.selfUs;
  for (const child of node.children ?? []) total += inclusive(byId.get(child));
  node.totalUs = total;
  return total;
}
for (const node of byId.values()) if (!node.parent) inclusive(node);

const self = new Map();
const total = new Map();
const packages = new Map();
for (const node of byId.values()) {
  const key = keyOf(node);
  self.set(key, (self.get(key) ?? 0) + node.selfUs);
  packages.set(packageOf(node), (packages.get(packageOf(node)) ?? 0) + node.selfUs);
  let ancestor = node.parent;
  while (ancestor && keyOf(ancestor) !== key) ancestor = ancestor.parent;
  if (!ancestor) total.set(key, (total.get(key) ?? 0) + node.totalUs);
}

// Time with a package anywhere on the stack (it and what it called), counted once per sample.
const packagesOnStack = new Map();
function onStack(node) {
  if (!packagesOnStack.has(node.id)) {
    const inherited = node.parent ? onStack(node.parent) : new Set();
    packagesOnStack.set(node.id, new Set([...inherited, packageOf(node)]));
  }
  return packagesOnStack.get(node.id);
}
const packagesTotal = new Map();
for (const node of byId.values()) {
  for (const name of onStack(node)) packagesTotal.set(name, (packagesTotal.get(name) ?? 0) + node.selfUs);
}

const sampledUs = [...byId.values()].reduce((sum, node) => sum + node.selfUs, 0);
const idleUs = [...byId.values()].filter((node) => node.callFrame.functionName === '(idle)').reduce((sum, node) => sum + node.selfUs, 0);
const busyUs = sampledUs - idleUs;

const NOT_WORK = ['(idle)', '(root)'];

function table(title, entries, hidden = NOT_WORK) {
  const rows = [...entries]
    .filter(([key]) => !hidden.includes(key))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
  const lines = [`${title} (% of ${(busyUs / 1000).toFixed(0)} ms busy)`];
  for (const [key, us] of rows) lines.push(`${((100 * us) / busyUs).toFixed(1).padStart(6)}%  ${(us / 1000).toFixed(1).padStart(9)} ms  ${key}`);
  return lines.join('\n');
}

process.stdout.write(
  [
    `${positionals[0]}: ${(sampledUs / 1000).toFixed(0)} ms sampled, ${(idleUs / 1000).toFixed(0)} ms idle`,
    '',
    table('Self time by package', packages),
    '',
    // node core and natives sit under almost everything: listing them says nothing.
    table('Total time by package (it and what it called)', packagesTotal, [...NOT_WORK, 'node core', '(native)']),
    '',
    table('Self time by function', self),
    '',
    table('Total time by function', total),
    '',
  ].join('\n'),
);
