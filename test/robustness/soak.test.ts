/**
 * The soak at reduced scale (the full one is `npm run soak`, see
 * docs/reliability.md): two rounds of client churn and abandoned sessions
 * against a server in a child process run with --expose-gc; nothing may be
 * left behind and the heap must come back after GC.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = path.join(__dirname, '../../scripts/soak.ts');

describe('soak (reduced scale)', () => {
  it('churn and abandoned connections leave no session, socket, room, handle or heap behind', async () => {
    const args = [
      '--expose-gc',
      '--import',
      'tsx',
      SCRIPT,
      '--rounds',
      '2',
      '--duration',
      '2',
      '--concurrency',
      '8',
      '--abandoned',
      '150',
      '--log-capacity',
      '500',
      '--json',
    ];
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, args, { timeout: 60_000 }, (error, out, err) => {
        // A failed soak exits 1 with its report on stdout: read it rather than the bare exit code.
        if (error && !out) return reject(new Error(`${error.message}\n${err}`));
        resolve(out);
      });
    });
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    for (const round of report.rounds) expect(round.load.cycles).toBeGreaterThan(20);
  }, 90_000);
});
