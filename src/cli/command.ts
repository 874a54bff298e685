/** What every `iostate` subcommand is: its help text and a run function that reports through `io`. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliIO } from './cli-io';
import { logSource, logSourceOptions, type LogSource } from './log-source';

export type { CliIO } from './cli-io';

export interface Command {
  /** Full help, starting with the usage line. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: string[], io: CliIO): Promise<number>;
}

/** Exit codes: 0 done, 1 the command failed (bad log, Redis unreachable, nothing found), 2 bad usage. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * The front of every command that reads logs: parses `args` against
 * `options` (plus `-h/--help` and the log source's `--redis`/`--key`),
 * prints the usage for `--help`, and requires files or `--redis`. Returns
 * the values and where to read, or the exit code to stop with once it has
 * said why.
 */
export function parseLogCommand<O extends Options>(
  name: string,
  usage: string,
  args: string[],
  options: O,
  io: CliIO,
): { values: ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: O }>>['values']; source: LogSource } | number {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { ...options, ...logSourceOptions, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    io.stderr(`iostate ${name}: ${(error as Error).message}\n\n${usage}`);
    return EXIT_USAGE;
  }
  if ((parsed.values as { help?: boolean }).help) {
    io.stdout(usage);
    return EXIT_OK;
  }
  const source = logSource(parsed.positionals, parsed.values as { redis?: string; key?: string });
  if (typeof source === 'string') {
    io.stderr(`iostate ${name}: ${source}\n\n${usage}`);
    return EXIT_USAGE;
  }
  return { values: parsed.values as never, source };
}
