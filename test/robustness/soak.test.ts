/**
 * The soak at reduced scale (the full one is `npm run soak`, see
 * docs/reliability.md): two rounds of client churn and abandoned sessions
 * against a server in a child process run with --expose-gc; nothing may be
 * left behind and the heap must come back after GC.
 *
 * Each round runs a fixed number of client lives rather than for a fixed
 * time: on a starved machine a 2 s round ran under 20 of them (against 350
 * idle), too few to say anything about the heap, and round 2 was compared
 * with a round 1 of different size. The soak's own waits are generous, so
 * the test gets a timeout to match.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = path.join(__dirname, '../../scripts/soak.ts');
const CYCLES_PER_ROUND = 200;
/** The soak takes about 15 s idle and 70 s at load average 20 on 2 cores. */
const SOAK_TIMEOUT_MS = 180_000;

describe('soak (reduced scale)', () => {
  it(
    'churn and abandoned connections leave no session, socket, room, handle or heap behind',
    async () => {
      const args = [
        '--expose-gc',
        '--import',
        'tsx',
        SCRIPT,
        '--rounds',
        '2',
        '--duration',
        '0',
        '--cycles',
        String(CYCLES_PER_ROUND),
        '--concurrency',
        '8',
        '--abandoned',
        '150',
        '--log-capacity',
        '500',
        // Full after round 1's 350 sessions, so that round 2's heap is compared with full caches.
        '--retain-closed',
        '100',
        '--json',
      ];
      const stdout = await new Promise<string>((resolve, reject) => {
        // Killed a little before the test's deadline, so that a stuck soak fails with its stderr.
        execFile(process.execPath, args, { timeout: SOAK_TIMEOUT_MS - 10_000 }, (error, out, err) => {
          // A failed soak exits 1 with its report on stdout: read it rather than the bare exit code.
          if (error && !out) return reject(new Error(`${error.message}\n${err}`));
          resolve(out);
        });
      });
      const report = JSON.parse(stdout.trim().split('\n').at(-1)!);
      expect(report.failures).toEqual([]);
      expect(report.ok).toBe(true);
      for (const round of report.rounds) expect(round.load.cycles).toBeGreaterThanOrEqual(CYCLES_PER_ROUND);
    },
    SOAK_TIMEOUT_MS,
  );
});
