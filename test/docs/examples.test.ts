/**
 * Every code example in docs/ and the README runs. Each ```js / ```ts block
 * is written to a file in a scratch project whose `iostate` is this
 * checkout's built package, and run with node (TypeScript through tsx):
 * it passes when its top level runs to the end and nothing it started fails
 * within a second after that.
 *
 * What the harness gives an example (test/docs/example-preload.cjs and below):
 * - fixed ports (3000 …) become free ones;
 * - `<!-- example: http -->` before a block declares `server` and
 *   `httpServer` (an http.Server listening on a free port) for it, and
 *   `<!-- example: io -->` also `io = require('iostate')(server)`;
 * - the scratch directory holds chat.jsonl, node-a.jsonl and node-b.jsonl
 *   (the CLI's fixture log);
 * - `6379` in an example becomes the port of a throwaway redis-server.
 * `<!-- example: not run, <reason> -->` keeps a block out (browser code);
 * the reason is printed, and such blocks are counted below.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipWithoutRedis, startRedis, type TestRedis } from '../redis/redis-server';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../..');
const built = existsSync(path.join(repoRoot, 'dist/cjs/index.js'));
if (!built) {
  if (process.env.CI) throw new Error('dist/ is missing: `npm test` must build before the docs examples run');
  console.warn('\n*** docs examples SKIPPED: dist/ is missing; run `npm run build` first ***\n');
}

interface Example {
  /** `docs/api.md:53`: where the block starts. */
  where: string;
  lang: 'js' | 'ts';
  code: string;
  setup: 'none' | 'http' | 'io';
  notRun?: string;
}

const LANGS: Record<string, 'js' | 'ts'> = { js: 'js', javascript: 'js', ts: 'ts', typescript: 'ts' };

function examplesOf(file: string): Example[] {
  const lines = readFileSync(path.join(repoRoot, file), 'utf8').split('\n');
  const found: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\w+)\s*$/.exec(lines[i]!);
    if (!fence) continue;
    const end = lines.findIndex((line, j) => j > i && line.startsWith('```'));
    const lang = LANGS[fence[1]!];
    if (lang) {
      const marker =
        /^<!-- example: (.*) -->$/.exec(
          lines
            .slice(0, i)
            .reverse()
            .find((line) => line.trim() !== '') ?? '',
        )?.[1] ?? '';
      const notRun = /^not run, (.+)$/.exec(marker)?.[1];
      found.push({
        where: `${file}:${i + 1}`,
        lang,
        code: lines.slice(i + 1, end).join('\n'),
        setup: marker === 'http' || marker === 'io' ? marker : 'none',
        notRun,
      });
    }
    i = end;
  }
  return found;
}

const files = [
  'README.md',
  ...readdirSync(path.join(repoRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];
const examples = files.flatMap(examplesOf);

const isModule = (code: string) => /^(import|export) /m.test(code) || /^(const|let) .*= await /m.test(code) || /^await /m.test(code);

function preamble(example: Example, module: boolean): string {
  if (example.setup === 'none') return '';
  const lines = module
    ? ["import http from 'node:http';", ...(example.setup === 'io' ? ["import iostate from 'iostate';"] : [])]
    : ["const http = require('node:http');"];
  lines.push('const server = http.createServer();', 'const httpServer = server;', 'server.listen(0);');
  if (example.setup === 'io') lines.push(module ? 'const io = iostate(server);' : "const io = require('iostate')(server);");
  return lines.join(' ') + '\n';
}

let scratch: string;
let redis: TestRedis | undefined;
const needsRedis = examples.some((example) => !example.notRun && example.code.includes('6379'));

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'iostate-doc-examples-'));
  mkdirSync(path.join(scratch, 'node_modules'));
  symlinkSync(repoRoot, path.join(scratch, 'node_modules/iostate'));
  // What the docs show beside iostate, as an app would install it: socket.io-redis 5, the adapter of 2.x clusters,
  // prom-client, whose global registry an app merges with the server's (docs/metrics.md),
  // and socket.io-client 4.x, which the recovery examples connect with (docs/recovery.md).
  for (const name of ['socket.io-redis', 'prom-client', 'socket.io-client'])
    symlinkSync(path.join(repoRoot, 'node_modules', name), path.join(scratch, 'node_modules', name));
  writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({ name: 'doc-examples', private: true }));
  for (const name of ['chat.jsonl', 'node-a.jsonl', 'node-b.jsonl'])
    copyFileSync(path.join(repoRoot, 'test/cli/fixtures/chat.jsonl'), path.join(scratch, name));
  if (needsRedis && !skipWithoutRedis('docs examples that use Redis')) redis = await startRedis();
}, 30_000);

afterAll(async () => {
  await redis?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function runExample(example: Example, index: number): Promise<string> {
  const module = isModule(example.code);
  const extension = `${module ? 'm' : 'c'}${example.lang}`;
  const code = redis ? example.code.replaceAll('6379', String(redis.port)) : example.code;
  const file = path.join(scratch, `example-${index}.${extension}`);
  writeFileSync(file, `${preamble(example, module)}${code}\n;globalThis.__exampleRan();\n`);
  const runner = example.lang === 'ts' ? [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), file] : [file];
  const env = { ...process.env, NODE_OPTIONS: `--require ${path.join(__dirname, 'example-preload.cjs')}`, INSPECTOR_PASSWORD: 'example' };
  const { stdout } = await run(process.execPath, runner, { cwd: scratch, env, timeout: 60_000 }).catch(
    (error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`${example.where} failed: ${error.stderr || error.message}`);
    },
  );
  return stdout;
}

describe.skipIf(!built)('docs examples', () => {
  it('finds the examples, and every one that is kept out says why', () => {
    expect(examples.length).toBeGreaterThan(20);
    const kept = examples.filter((example) => example.notRun);
    for (const example of kept) console.warn(`docs example not run: ${example.where} (${example.notRun})`);
    // Kept out on purpose: the internal effects convention, the browser's EventSource example and the shape of an interop test.
    expect(kept.map((example) => example.where.split(':')[0])).toEqual(['docs/design.md', 'docs/inspector.md', 'docs/testing.md']);
  });

  it.concurrent.each(examples.map((example, index) => [example.where, example, index] as const).filter(([, example]) => !example.notRun))(
    '%s runs',
    async (_where, example, index) => {
      if (example.code.includes('6379') && !redis) return; // skipWithoutRedis warned loudly; CI requires Redis
      expect(await runExample(example, index)).toContain('EXAMPLE-RAN');
    },
    90_000,
  );
});
