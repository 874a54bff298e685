/** Where a command writes; the bin passes the process streams, tests capture the text. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
}
