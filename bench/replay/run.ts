/**
 * `npm run bench:replay`: how long `iostate replay` takes and how much memory
 * it holds on large generated logs (generate-log.ts), from dist/:
 * - 1M events over 3 nodes with at most 5k connections open at once, in
 *   --json and in text (the targets: ≤ 10 s, ≤ 200 MB RSS);
 * - 25k connections in text and in --json (text no slower than JSON).
 * Each run is a fresh process writing to /dev/null; the median of `--runs`
 * (default 3) is kept. The runs go in rounds of one run of each case, so
 * that the cases (text and JSON) see the same load. Writes
 * bench/results/replay-latest.json and .md.
 * `--baseline DIR` also runs another build (a checkout with its dist/ built,
 * its node_modules reachable), each of its runs next to one of this build's,
 * which goes first in turn, so that both see the same load: an A/B.
 * `--only TEXT` keeps the cases whose name holds TEXT.
 *   npm run bench:replay [-- --runs 5] [--keep DIR] [--baseline DIR] [--only 25k]
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateLog, type GeneratedLog } from './generate-log';

interface Sample {
  wallMs: number;
  userMs: number;
  systemMs: number;
  maxRssKB: number;
}

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = Number(flag('runs') ?? 3);
const root = path.join(__dirname, '..', '..');
const measure = path.join(__dirname, 'measure.cjs');
const baseline = flag('baseline');
const only = flag('only');
/** The builds measured: this checkout's, and the baseline's when given. */
const builds: { name: string; dir: string }[] = [{ name: 'this build', dir: root }, ...(baseline ? [{ name: 'baseline', dir: path.resolve(baseline) }] : [])];

function once(build: string, argv: string[]): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const sink = fs.openSync('/dev/null', 'w');
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [measure, build, ...argv], { cwd: root, stdio: ['ignore', sink, 'pipe', 'pipe'] });
    let report = '';
    let stderr = '';
    child.stdio[3]!.on('data', (chunk: Buffer) => (report += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      fs.closeSync(sink);
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      if (code !== 0 || !report) return reject(new Error(`iostate ${argv.join(' ')} exited ${code}: ${stderr.slice(0, 2000)}`));
      const parsed = JSON.parse(report) as { code: number; maxRssKB: number; userMs: number; systemMs: number };
      if (parsed.code !== 0) return reject(new Error(`iostate ${argv.join(' ')} exited ${parsed.code}: ${stderr.slice(0, 2000)}`));
      resolve({ wallMs, userMs: parsed.userMs, systemMs: parsed.systemMs, maxRssKB: parsed.maxRssKB });
    });
  });
}

function median(samples: Sample[]): Sample {
  const mid = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return {
    wallMs: mid(samples.map((s) => s.wallMs)),
    userMs: mid(samples.map((s) => s.userMs)),
    systemMs: mid(samples.map((s) => s.systemMs)),
    maxRssKB: mid(samples.map((s) => s.maxRssKB)),
  };
}

interface Case {
  name: string;
  log: GeneratedLog;
  argv: string[];
}

/**
 * The median of each case's runs in each build. Runs go in rounds, each
 * round one run of every case in every build (the builds' order turned
 * round every other time), so that a change of the machine's load falls on
 * all of them alike, text and JSON as much as this build and the baseline.
 */
async function bench(cases: Case[]): Promise<Sample[][]> {
  const samples: Sample[][][] = cases.map(() => builds.map(() => []));
  for (let i = 0; i < runs; i++) {
    const order = builds.map((_, b) => b);
    if (i % 2 === 1) order.reverse();
    for (const [c, { name, argv }] of cases.entries()) {
      for (const b of order) {
        const sample = await once(builds[b]!.dir, argv);
        samples[c]![b]!.push(sample);
        process.stderr.write(
          `  ${name}${baseline ? ` (${builds[b]!.name})` : ''} run ${i + 1}: ${(sample.wallMs / 1000).toFixed(2)} s wall, ${((sample.userMs + sample.systemMs) / 1000).toFixed(2)} s CPU, ${(sample.maxRssKB / 1024).toFixed(0)} MB RSS, load ${os.loadavg()[0]!.toFixed(1)}\n`,
        );
      }
    }
  }
  return samples.map((byBuild) => byBuild.map(median));
}

async function main(): Promise<void> {
  const dir = flag('keep') ?? fs.mkdtempSync(path.join(os.tmpdir(), 'iostate-bench-replay-'));
  const nodes = ['node-a', 'node-b', 'node-c'];
  try {
    process.stderr.write('generating the logs…\n');
    // 64 events and 5 connections a copy; a copy every 5 ms per node keeps under 5k connections open at once.
    const million = await generateLog({ dir: path.join(dir, 'million'), nodes, copies: 5200, spacingMs: 5, stretch: 1 });
    // 25k connections (5,000 copies) on one node, spread out so that few are open at once.
    const connections = await generateLog({ dir: path.join(dir, 'connections'), nodes: ['node-a'], copies: 5000, spacingMs: 20, stretch: 1 });
    const cases: Case[] = [
      { name: '1M events, --json', log: million, argv: ['replay', ...million.files, '--json'] },
      { name: '1M events, text', log: million, argv: ['replay', ...million.files] },
      { name: '1M events, --summary', log: million, argv: ['replay', ...million.files, '--summary'] },
      { name: '25k connections, --json', log: connections, argv: ['replay', ...connections.files, '--json'] },
      { name: '25k connections, text', log: connections, argv: ['replay', ...connections.files] },
    ];
    const results: ({ name: string; build: string } & Omit<GeneratedLog, 'files'> & Sample)[] = [];
    const loadAtStart = os.loadavg();
    const chosen = cases.filter((c) => only === undefined || c.name.includes(only));
    for (const c of chosen)
      process.stderr.write(`${c.name}: ${c.log.events} events, ${c.log.connections} connections, at most ${c.log.maxOpen} open at once\n`);
    const medians = await bench(chosen);
    for (const [i, c] of chosen.entries()) {
      medians[i]!.forEach((sample, b) =>
        results.push({
          name: baseline ? `${c.name} (${builds[b]!.name})` : c.name,
          build: builds[b]!.dir,
          events: c.log.events,
          connections: c.log.connections,
          maxOpen: c.log.maxOpen,
          ...sample,
        }),
      );
    }
    const machine = {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      loadavg: os.loadavg(),
      node: process.version,
      memoryGB: Math.round(os.totalmem() / 2 ** 30),
    };
    const out = path.join(root, 'bench', 'results');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(
      path.join(out, 'replay-latest.json'),
      `${JSON.stringify({ date: new Date().toISOString(), runs, machine, loadAtStart, results }, null, 2)}\n`,
    );
    const rows = results.map(
      (r) =>
        `| ${r.name} | ${r.events.toLocaleString('en-US')} | ${r.connections.toLocaleString('en-US')} | ≤ ${r.maxOpen.toLocaleString('en-US')} | ${(r.wallMs / 1000).toFixed(1)} s | ${((r.userMs + r.systemMs) / 1000).toFixed(1)} s | ${Math.round(r.maxRssKB / 1024)} MB |`,
    );
    const md = [
      `Replay benchmark, ${new Date().toISOString()}, median of ${runs} runs${baseline ? `, interleaved with the baseline ${path.resolve(baseline)}` : ''}; ${machine.cpus} × ${machine.model}, Node ${machine.node}, load average at the start ${loadAtStart.map((l) => l.toFixed(1)).join(' ')}, at the end ${machine.loadavg.map((l) => l.toFixed(1)).join(' ')}`,
      '',
      '| case | events | connections | open at once | wall | CPU | peak RSS |',
      '|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n');
    fs.writeFileSync(path.join(out, 'replay-latest.md'), md);
    process.stdout.write(md);
  } finally {
    if (flag('keep') === undefined) fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
