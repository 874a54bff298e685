/**
 * The bin's CliIO: the process's own streams. A reader that goes away
 * early (`iostate replay big.jsonl | head -1`) makes the next write fail
 * with EPIPE; then the command is stopped with StdoutClosed thrown from
 * `stdout` or `drained`, so that it stops reading the log and unwinds
 * through its `finally` blocks, and the CLI ends with status 0 and says
 * nothing, as Unix filters do when their reader has what it wanted.
 */
import { StdoutClosed, type CliIO } from './cli-io';

export function processIO(): CliIO {
  let closed = false;
  const onClosed = new Set<() => void>();
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed = true;
    for (const wake of onClosed) wake();
  });
  // Nobody reads stderr either when it shares the closed pipe (`2>&1 | head`): there is nowhere left to report that.
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });

  const drain = () =>
    new Promise<void>((resolve, reject) => {
      const done = () => {
        process.stdout.removeListener('drain', done);
        onClosed.delete(done);
        if (closed) reject(new StdoutClosed());
        else resolve();
      };
      process.stdout.once('drain', done);
      onClosed.add(done);
    });

  return {
    stdout: (text) => {
      if (closed) throw new StdoutClosed();
      process.stdout.write(text);
    },
    stderr: (text) => void process.stderr.write(text),
    drained: () => (closed ? Promise.reject(new StdoutClosed()) : process.stdout.writableNeedDrain ? drain() : undefined),
  };
}
