// Typed events are a compile-time promise: typed-events.check.ts must compile, and each of its
// `@ts-expect-error` lines (a wrong event name, a wrong payload) must be an error, or tsc fails.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../..');

describe('iostate/v4 typed events', () => {
  it('accepts the declared events and payloads and refuses the others', { timeout: 120_000 }, async () => {
    const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '--noEmit', '-p', path.join(__dirname, 'tsconfig.typed-events.json')], { cwd: repoRoot }).catch(
      (error: { stdout?: string; message: string }) => ({ stdout: error.stdout ?? error.message }),
    );
    expect(result.stdout).toBe('');
  });
});
