/** What every `iostate` subcommand is: its help text and a run function that reports through `io`. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { LogEvent } from '../log/events';
import { readLog } from '../log/read-log';

/** Where a command writes; the bin passes the process streams, tests capture the text. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface Command {
  /** Full help, starting with the usage line. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: string[], io: CliIO): Promise<number>;
}

/** Exit codes: 0 done, 1 the command failed (bad log, nothing found), 2 bad usage. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * The front of every command that reads logs: parses `args` against
 * `options` (plus `-h/--help`), prints the usage for `--help`, and requires
 * at least one file. Returns the values and files, or the exit code to stop
 * with once it has said why.
 */
export function parseLogCommand<O extends Options>(
  name: string,
  usage: string,
  args: string[],
  options: O,
  io: CliIO,
): { values: ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: O }>>['values']; files: string[] } | number {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { ...options, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    io.stderr(`iostate ${name}: ${(error as Error).message}\n\n${usage}`);
    return EXIT_USAGE;
  }
  if ((parsed.values as { help?: boolean }).help) {
    io.stdout(usage);
    return EXIT_OK;
  }
  if (parsed.positionals.length === 0) {
    io.stderr(`iostate ${name}: no log file given\n\n${usage}`);
    return EXIT_USAGE;
  }
  return { values: parsed.values as never, files: parsed.positionals };
}

/** Reads the logs, reporting bad lines on stderr; undefined (after saying so) when they hold no event. */
export async function readEvents(name: string, files: string[], io: CliIO): Promise<LogEvent[] | undefined> {
  const { events, problems } = await readLog(files);
  for (const problem of problems) io.stderr(`${problem.file}${problem.line > 0 ? `:${problem.line}` : ''}: ${problem.message}\n`);
  if (events.length > 0) return events;
  io.stderr(`iostate ${name}: no events in ${files.join(', ')}\n`);
  return undefined;
}
