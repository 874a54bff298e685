// The benchmark at tiny sizes (--smoke, one round) against socket.io 4 and
// iostate (event log on and off): it must finish and write well-formed
// results. Times are not asserted; they mean nothing at these sizes.
// Needs dist/ (npm test builds first).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SCENARIOS = ['connect', 'memory', 'broadcast', 'binary', 'acks'];
const SERVERS = ['socketio', 'iostate', 'iostate-nolog'];
const RUN_SCRIPT = new URL('../../bench/run.mjs', import.meta.url).pathname;

interface Summary {
  median: number | null;
  min: number | null;
  max: number | null;
  samples: unknown[];
}
interface Figure {
  label: string;
  results: Record<string, Summary>;
  ratio: { value: number | null };
  logOnOff: { value: number | null };
  buildB?: { value: number | null };
}
interface Results {
  schema: string;
  config: { smoke: boolean };
  machine: { cpus: number; node: string };
  servers: Record<string, { available: boolean; reason: string | null }>;
  scenarios: Record<string, { metrics: Record<string, Figure>; errors: Record<string, string[]> }>;
}

function runBench(outDir: string, args: string[] = [], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN_SCRIPT, '--smoke', '--rounds', '1', '--out', outDir, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('npm run bench --smoke', () => {
  let outDir: string;
  let run: { code: number | null; stderr: string };
  let results: Results;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'iostate-bench-'));
    run = await runBench(outDir);
    results = JSON.parse(readFileSync(join(outDir, 'latest.json'), 'utf8')) as Results;
  }, 120_000); // ~15 s on an idle 2-core machine; generous for a loaded CI runner

  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  it('completes without a failed run', () => {
    expect(run.stderr).not.toContain('FAILED');
    expect(run.code).toBe(0);
  });

  it('runs every server', () => {
    for (const id of SERVERS) expect(results.servers[id], id).toMatchObject({ available: true, reason: null });
  });

  it('writes one finite figure per server, scenario and metric, with the ratios', () => {
    expect(results.schema).toBe('iostate-bench/1');
    expect(results.config.smoke).toBe(true);
    expect(results.machine.cpus).toBeGreaterThan(0);
    expect(Object.keys(results.scenarios).sort()).toEqual([...SCENARIOS].sort());
    for (const scenario of SCENARIOS) {
      const figures = Object.entries(results.scenarios[scenario].metrics);
      expect(figures.length, scenario).toBeGreaterThan(0);
      for (const [metric, figure] of figures) {
        for (const server of SERVERS) {
          const summary = figure.results[server];
          expect(summary?.samples, `${scenario}.${metric}.${server}`).toHaveLength(1);
          expect(Number.isFinite(summary.median), `${scenario}.${metric}.${server}`).toBe(true);
          expect(summary.min).toBeLessThanOrEqual(summary.median as number);
          expect(summary.max).toBeGreaterThanOrEqual(summary.median as number);
        }
        // A ratio exists whenever both medians are positive (a tiny memory delta may be zero or less).
        const positive = (server: string) => (figure.results[server].median as number) > 0;
        if (positive('iostate') && positive('socketio')) {
          expect(Number.isFinite(figure.ratio.value), `${scenario}.${metric} ratio`).toBe(true);
        }
        if (positive('iostate') && positive('iostate-nolog')) {
          expect(Number.isFinite(figure.logOnOff.value), `${scenario}.${metric} log on/off`).toBe(true);
        }
      }
    }
  });

  it('writes the markdown table with a row per figure', () => {
    const markdown = readFileSync(join(outDir, 'latest.md'), 'utf8');
    expect(markdown).toContain('| scenario | figure | socket.io 4 | iostate | iostate (log off) | iostate / socket.io | target | log on / off |');
    const rows = markdown.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| scenario'));
    const figures = SCENARIOS.reduce((sum, scenario) => sum + Object.keys(results.scenarios[scenario].metrics).length, 0);
    expect(rows).toHaveLength(figures);
  });
});

describe('npm run bench --smoke --servers iostate,iostate-b (an A/B of two builds)', () => {
  const DIST_ENTRY = new URL('../../dist/cjs/index.js', import.meta.url).pathname;
  const dirs: string[] = [];
  const scratch = () => {
    const dir = mkdtempSync(join(tmpdir(), 'iostate-bench-ab-'));
    dirs.push(dir);
    return dir;
  };
  const read = (dir: string) => JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')) as Results;

  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the B build next to this one and reports B / iostate for every figure', async () => {
    const dir = scratch();
    const run = await runBench(dir, ['--scenarios', 'connect,acks', '--servers', 'iostate,iostate-b'], { BENCH_IOSTATE_B_ENTRY: DIST_ENTRY });
    expect(run.code).toBe(0);
    const results = read(dir);
    expect(results.servers['iostate-b']).toMatchObject({ available: true });
    for (const scenario of ['connect', 'acks']) {
      for (const figure of Object.values(results.scenarios[scenario]!.metrics)) {
        expect(figure.buildB?.value, figure.label).toBeGreaterThan(0);
      }
    }
    expect(readFileSync(join(dir, 'latest.md'), 'utf8')).toContain('| B / iostate |');
  }, 120_000);

  it('reports iostate B as not run, without failing, when BENCH_IOSTATE_B_ENTRY is not set', async () => {
    const dir = scratch();
    const env = { BENCH_IOSTATE_B_ENTRY: '' };
    const run = await runBench(dir, ['--scenarios', 'connect', '--servers', 'iostate,iostate-b'], env);
    expect(run.code).toBe(0);
    expect(read(dir).servers['iostate-b']).toMatchObject({ available: false, reason: expect.stringContaining('BENCH_IOSTATE_B_ENTRY') });
  }, 120_000);
});
