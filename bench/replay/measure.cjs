// Runs `iostate <args>` from a build's dist/ in this process, its stdout sent
// where the parent pointed it, then reports the process's peak RSS and CPU
// time on fd 3.  node measure.cjs <build dir> <args...>
const { writeSync } = require('node:fs');
const path = require('node:path');
const [build, ...args] = process.argv.slice(2);
const { main } = require(path.resolve(build, 'dist', 'cjs', 'cli', 'main.js'));

const io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  drained: () => (process.stdout.writableNeedDrain ? new Promise((resolve) => process.stdout.once('drain', resolve)) : undefined),
};

void main(args, io).then((code) => {
  const usage = process.resourceUsage();
  writeSync(3, JSON.stringify({ code, maxRssKB: usage.maxRSS, userMs: usage.userCPUTime / 1000, systemMs: usage.systemCPUTime / 1000 }));
});
