// Runs `iostate <args>` from dist/ in this process, its stdout sent where the
// parent pointed it, then reports the process's peak RSS and CPU time on fd 3.
const { writeSync } = require('node:fs');
const { main } = require('../../dist/cjs/cli/main.js');

const io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  drained: () => (process.stdout.writableNeedDrain ? new Promise((resolve) => process.stdout.once('drain', resolve)) : undefined),
};

void main(process.argv.slice(2), io).then((code) => {
  const usage = process.resourceUsage();
  writeSync(3, JSON.stringify({ code, maxRssKB: usage.maxRSS, userMs: usage.userCPUTime / 1000, systemMs: usage.systemCPUTime / 1000 }));
});
