/**
 * The package as a user gets it: `npm pack` on a copy of the checkout (no
 * dist/ in it: `prepack` must build), installed into a fresh project, a
 * strict TypeScript file compiled against it (skipLibCheck off, so every
 * published type must resolve from the package's own dependencies), then run
 * as CommonJS and as an ES module, each serving a real socket.io-client.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../..');
const work = mkdtempSync(path.join(tmpdir(), 'iostate-consumer-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Each step is bounded, so a step that hangs fails with its own name. */
const STEP_MS = 240_000; // generous: a loaded 2-core machine compiles slowly
const npm = (args: string[], cwd: string) =>
  run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, timeout: STEP_MS, maxBuffer: 64 * 1024 * 1024 });
const node = (args: string[], cwd: string) => run(process.execPath, args, { cwd, timeout: STEP_MS });

/** The files git would put in a fresh clone (tracked, or new and not ignored), copied without dist/. */
async function freshCheckout(): Promise<string> {
  const checkout = path.join(work, 'checkout');
  const { stdout } = await run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
  for (const file of stdout.split('\0').filter(Boolean)) {
    if (file.startsWith('dist/') || file === 'node_modules') continue;
    mkdirSync(path.dirname(path.join(checkout, file)), { recursive: true });
    try {
      cpSync(path.join(repoRoot, file), path.join(checkout, file));
    } catch {
      // listed by git but deleted in the working tree
    }
  }
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(checkout, 'node_modules'));
  return checkout;
}

describe('the packed package in a fresh consumer project', () => {
  it('packs with dist/, installs, compiles strict TypeScript against its types, and runs as CJS and ESM', { timeout: 900_000 }, async () => {
    const checkout = await freshCheckout();
    await npm(['pack', '--pack-destination', work], checkout);
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    expect(tarball, 'npm pack wrote a tarball').toBeDefined();

    const consumer = path.join(work, 'consumer');
    cpSync(path.join(__dirname, 'consumer'), consumer, { recursive: true });
    writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    // The package's own dependencies come with it; the consumer adds only Node's types.
    await npm(['install', '--prefer-offline', path.join(work, tarball!), '@types/node@20'], consumer);

    const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
    // Type errors are printed on stdout with exit 2: show them; a timeout or crash fails as itself.
    const compiled = await node([tsc, '-p', consumer], consumer).catch((error: { code?: unknown; stdout?: string; message: string }) => {
      if (error.code === 2 && error.stdout) return { stdout: error.stdout };
      throw new Error(`tsc did not finish: ${error.message}`);
    });
    expect(compiled.stdout).toBe('');

    const cjs = await node([path.join(consumer, 'out/main.cjs')], consumer);
    expect(JSON.parse(cjs.stdout.trim())).toEqual({ reply: 'hi cjs', sockets: 1, adapter: 'function', lines: 0, reasons: [expect.any(String)] });
    const esm = await node([path.join(consumer, 'out/main.mjs')], consumer);
    expect(JSON.parse(esm.stdout.trim())).toEqual({ reply: 'hi esm', sameServer: true });
    // iostate/v4: socket.io 4's API, required and imported.
    const cjsV4 = await node([path.join(consumer, 'out/v4.cjs')], consumer);
    expect(JSON.parse(cjsV4.stdout.trim())).toEqual({ reply: 'hi cjs v4', rooms: [1] });
    const esmV4 = await node([path.join(consumer, 'out/v4.mjs')], consumer);
    expect(JSON.parse(esmV4.stdout.trim())).toEqual({ reply: 'hi esm v4' });
  });
});
