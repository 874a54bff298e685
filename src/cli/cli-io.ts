/** Where a command writes; the bin passes the process streams, tests capture the text. */
export interface CliIO {
  /** Text, or UTF-8 bytes of whole characters (replay hands its output over encoded). */
  stdout(output: string | Uint8Array): void;
  stderr(text: string): void;
  /** Resolves once stdout can take more (a slow pipe); absent when it always can. */
  drained?(): Promise<void> | undefined;
  /** Aborted when the user interrupts: `replay --follow` then ends as at the end of the log. */
  signal?: AbortSignal;
  /** Where a log named `-` is read from. Default process.stdin. */
  stdin?: AsyncIterable<Buffer | string>;
}
