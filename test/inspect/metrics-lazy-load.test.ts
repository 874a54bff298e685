/**
 * prom-client takes ~100 ms to load, so the built package loads it only when
 * a metrics registry is made: requiring the entries of a server without
 * metrics must leave it out of the module cache. In a child process, whose
 * module cache is its own. Needs `npm run build`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = new URL('../../', import.meta.url);
const built = existsSync(new URL('dist/cjs/index.js', repoRoot));
if (!built) console.warn('\n*** metrics lazy-load test SKIPPED: dist/ is missing; run `npm run build` first ***\n');

const SCRIPT = `
const promClientLoaded = () => Object.keys(require.cache).some((file) => /[\\\\/]node_modules[\\\\/]prom-client[\\\\/]/.test(file));
const iostate = require('iostate');
require('iostate/v4');
require('iostate/log');
const { createInspectorHandler } = require('iostate/inspect');
const atStart = promClientLoaded();
const io = new iostate.Server();
const withoutMetrics = createInspectorHandler(io, { auth: () => true });
const afterInspector = promClientLoaded();
const withMetrics = createInspectorHandler(io, { auth: () => true, metrics: true });
withMetrics.metrics.metrics().then((text) => {
  console.log(JSON.stringify({ atStart, afterInspector, afterMetrics: promClientLoaded(), registry: withoutMetrics.metrics === undefined, text }));
  withoutMetrics.close();
  withMetrics.close();
  io.close();
});
`;

describe.skipIf(!built)('prom-client is loaded only for metrics', () => {
  it('requiring iostate, iostate/v4, iostate/log and iostate/inspect leaves it unloaded; a metrics registry loads it and serves', async () => {
    const { stdout } = await run(process.execPath, ['-e', SCRIPT], { cwd: repoRoot, timeout: 60_000 });
    const result = JSON.parse(stdout) as { atStart: boolean; afterInspector: boolean; afterMetrics: boolean; registry: boolean; text: string };
    expect(result.atStart, 'loaded by requiring the entries').toBe(false);
    expect(result.afterInspector, 'loaded by an inspector without metrics').toBe(false);
    expect(result.registry).toBe(true);
    expect(result.afterMetrics, 'loaded once metrics are on').toBe(true);
    expect(result.text).toMatch(/^iostate_connections\{state="open",transport="polling",protocol="3"\} 0$/m);
    expect(result.text).toMatch(/^iostate_middleware_duration_seconds_count\{outcome="connected"\} 0$/m);
  });
});
