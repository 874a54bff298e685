/** What every `iostate` subcommand is: its help text and a run function that reports through `io`. */

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
