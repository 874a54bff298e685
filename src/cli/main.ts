#!/usr/bin/env node
/**
 * The `iostate` command: dispatches to the subcommands of commands.ts.
 * `main` takes argv and an output sink and resolves to the exit code, so it
 * runs the same in tests as from the bin.
 */
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliIO } from './command';
import { StdoutClosed } from './cli-io';
import { commands } from './commands';
import { processIO } from './process-io';
import { visibleLines } from '../inspect/visible-text';

function overview(): string {
  const width = Math.max(...[...commands.keys(), 'help'].map((name) => name.length));
  const rows = [...commands].map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`);
  rows.push(`  ${'help'.padEnd(width)}  show this help, or a command's: iostate help <command>`);
  return `Usage: iostate <command> [options]\n\nCommands:\n${rows.join('\n')}\n`;
}

async function help(name: string | undefined, io: CliIO): Promise<number> {
  if (name === undefined) {
    io.stdout(overview());
    return EXIT_OK;
  }
  const entry = commands.get(name);
  if (!entry) {
    io.stderr(`iostate: unknown command "${name}"\n\n${overview()}`);
    return EXIT_USAGE;
  }
  io.stdout((await entry.load()).usage);
  return EXIT_OK;
}

export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  try {
    return await dispatch(argv, { ...io, stderr: (text) => io.stderr(visibleLines(text)) });
  } catch (error) {
    // The reader has what it wanted (`| head`): done, as far as it can tell.
    if (error instanceof StdoutClosed) return EXIT_OK;
    throw error;
  }
}

/** Runs a command. Its stderr (bad log lines quoting their text, echoed arguments) shows controls as escapes. */
async function dispatch(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') return help(args[0], io);
  const entry = commands.get(name);
  if (!entry) {
    io.stderr(`iostate: unknown command "${name}"\n\n${overview()}`);
    return EXIT_USAGE;
  }
  try {
    return await (await entry.load()).run(args, io);
  } catch (error) {
    if (error instanceof StdoutClosed) throw error;
    io.stderr(`iostate ${name}: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_FAILED;
  }
}

if (typeof require !== 'undefined' && require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
