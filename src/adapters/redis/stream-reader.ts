/**
 * Reads the cluster's log stream and hands every other node's events to
 * `onEvent`, in stream order: first everything already there (catch-up: the
 * membership of the sockets that connected before this node started), then
 * new entries as they come, with a blocking XREAD on its own connection.
 * It resumes after the last entry it read when Redis comes back.
 */
import type { Redis } from 'ioredis';
import { logEvent, type LogEvent } from '../../log/events';

export interface StreamReaderOptions {
  redis: Redis;
  stream: string;
  /** This node: its own entries are skipped (its log already holds them). */
  node: string;
  onEvent: (event: LogEvent) => void;
  onError: (error: Error) => void;
}

const COUNT = 1000;
const BLOCK_MS = 2000;
const RETRY_MS = 500;

type XReadReply = [stream: string, entries: [id: string, fields: string[]][]][] | null;

export class StreamReader {
  /** Resolves once the entries present at start were read. */
  readonly caughtUp: Promise<void>;
  private lastId = '0';
  private stopped = false;
  private failing = false;
  private markCaughtUp!: () => void;
  private warnedInvalid = false;

  constructor(private readonly options: StreamReaderOptions) {
    this.caughtUp = new Promise((resolve) => (this.markCaughtUp = resolve));
  }

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.options.redis.disconnect();
  }

  private async loop(): Promise<void> {
    let catchingUp = true;
    while (!this.stopped) {
      try {
        const args = catchingUp ? [] : ['BLOCK', String(BLOCK_MS)];
        const reply = (await this.options.redis.call('XREAD', 'COUNT', String(COUNT), ...args, 'STREAMS', this.options.stream, this.lastId)) as XReadReply;
        this.failing = false;
        const entries = reply?.[0]?.[1] ?? [];
        for (const [id, fields] of entries) {
          this.lastId = id;
          this.take(fields);
        }
        if (catchingUp && entries.length < COUNT) {
          catchingUp = false;
          this.markCaughtUp();
        }
      } catch (error) {
        if (this.stopped) return;
        if (!this.failing) this.options.onError(new Error(`cannot read the log stream ${this.options.stream}: ${(error as Error).message}`));
        this.failing = true;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS).unref());
      }
    }
  }

  private take(fields: string[]): void {
    const index = fields.indexOf('e');
    if (index === -1 || index + 1 >= fields.length) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(fields[index + 1]!);
    } catch {
      parsed = undefined;
    }
    const result = logEvent.safeParse(parsed);
    if (!result.success) {
      if (!this.warnedInvalid) this.options.onError(new Error(`log stream ${this.options.stream} holds an entry that is not a valid event; skipped`));
      this.warnedInvalid = true;
      return;
    }
    if (result.data.node !== this.options.node) this.options.onEvent(result.data);
  }
}
