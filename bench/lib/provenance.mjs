// What was measured: the commit of the checkout (and whether it had local
// changes) and which iostate builds the iostate servers loaded.
import { execFileSync } from 'node:child_process';

const ROOT = new URL('../../', import.meta.url).pathname;

function git(...args) {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export function describeSource() {
  const status = git('status', '--porcelain', '--untracked-files=no');
  return {
    commit: git('rev-parse', '--short', 'HEAD'),
    localChanges: status === null ? null : status !== '',
    iostateEntry: process.env.BENCH_IOSTATE_ENTRY ?? 'dist/cjs/index.js',
    ...(process.env.BENCH_IOSTATE_B_ENTRY && { iostateBEntry: process.env.BENCH_IOSTATE_B_ENTRY }),
  };
}
