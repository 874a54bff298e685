/** Runs `iostate <argv>` in-process through main(), capturing what it writes. */
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/command';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(...argv: string[]): Promise<CliRun> {
  return runCliWith({}, ...argv);
}

/** The same, with standard input, an interrupt signal, or a watcher of what is written so far. */
export async function runCliWith(extra: Pick<CliIO, 'signal' | 'stdin'> & { onStdout?: (stdout: string) => void }, ...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (output) => {
      // Replay hands over UTF-8 chunks of whole characters.
      stdout += typeof output === 'string' ? output : Buffer.from(output).toString('utf8');
      extra.onStdout?.(stdout);
    },
    stderr: (text) => void (stderr += text),
    signal: extra.signal,
    stdin: extra.stdin,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** `replay --follow`: runs until `done` holds for what it printed, then interrupts it as Ctrl-C would. */
export async function followUntil(done: (stdout: string) => boolean, extra: Pick<CliIO, 'stdin'>, ...argv: string[]): Promise<CliRun> {
  const interrupt = new AbortController();
  let seen = '';
  const run = runCliWith({ ...extra, signal: interrupt.signal, onStdout: (stdout) => void (seen = stdout) }, ...argv);
  const poll = setInterval(() => {
    if (done(seen)) interrupt.abort();
  }, 20);
  try {
    return await run;
  } finally {
    clearInterval(poll);
  }
}
