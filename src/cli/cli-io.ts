/** Where a command writes; the bin passes the process streams, tests capture the text. */
export interface CliIO {
  /** Text, or UTF-8 bytes of whole characters (replay hands its output over encoded). Throws StdoutClosed once the reader of stdout has gone. */
  stdout(output: string | Uint8Array): void;
  stderr(text: string): void;
  /** Resolves once stdout can take more (a slow pipe); absent when it always can. Rejects with StdoutClosed once the reader has gone. */
  drained?(): Promise<void> | undefined;
  /** Aborted when the user interrupts: `replay --follow` then ends as at the end of the log. */
  signal?: AbortSignal;
  /** Where a log named `-` is read from. Default process.stdin. */
  stdin?: AsyncIterable<Buffer | string>;
}

/** The reader of stdout has gone (`iostate replay … | head`): the command stops, and the CLI exits 0 quietly. */
export class StdoutClosed extends Error {
  constructor() {
    super('stdout was closed by its reader');
  }
}
