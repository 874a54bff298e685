/**
 * The registry of `iostate` subcommands. Each is loaded only when run, so
 * `iostate replay` never loads the server. To add a command, write
 * src/cli/<name>.ts exporting a `Command` and add one line here of the same
 * form: `serve` (src/cli/serve.ts) and `inspect` (src/cli/inspect.ts) go here.
 */
import type { Command } from './command';

export interface CommandEntry {
  /** One line for `iostate help`. */
  summary: string;
  load(): Promise<Command>;
}

export const commands = new Map<string, CommandEntry>([
  [
    'replay',
    {
      summary: "replay an event log (JSONL files or a cluster's Redis stream): state at a time, timelines, why each client disconnected",
      load: async () => (await import('./replay')).replayCommand,
    },
  ],
  [
    'inspect',
    {
      summary: "draw an event log (JSONL files or a cluster's Redis stream) as one self-contained HTML timeline",
      load: async () => (await import('./inspect')).inspectCommand,
    },
  ],
  [
    'serve',
    { summary: 'run the demo chat with the live inspector on localhost (PORT, default 3000)', load: async () => (await import('./serve')).serveCommand },
  ],
]);
