/**
 * Reads the cluster's log stream and hands every other node's events to
 * `onEvent`, in stream order: first everything already there (catch-up: the
 * membership of the sockets that connected before this node started), then
 * new entries as they come, with a blocking XREAD on its own connection.
 * It resumes after the last entry it read when Redis comes back.
 *
 * Entries are untrusted (anyone who can write to the Redis can add some):
 * one that is not a valid, bounded event goes to `onSkip`. So does one that
 * names this node but that this node cannot have written (a `seq` it has
 * not reached): another process under the same name, or a forgery. Entries
 * naming this node are never handed on: its log already holds them.
 */
import type { Redis } from 'ioredis';
import type { LogEvent } from '../../log/events';
import { decodeStreamEntry } from './stream-entry';

export interface StreamReaderOptions {
  redis: Redis;
  stream: string;
  /** This node: its own entries are skipped (its log already holds them). */
  node: string;
  /** The `seq` of the latest event this node recorded. */
  lastSeq: () => number;
  onEvent: (id: string, event: LogEvent) => void;
  /** An entry that was not handed on, and why. */
  onSkip: (id: string, problem: string) => void;
  onError: (error: Error) => void;
  /** Read only the entries after this id (where the reader of a node this one replaces stopped). Default: all. */
  after?: string;
}

const COUNT = 1000;
const BLOCK_MS = 2000;
const RETRY_MS = 500;

type XReadReply = [stream: string, entries: [id: string, fields: string[]][]][] | null;

export class StreamReader {
  /** Resolves once the entries present at start were read. */
  readonly caughtUp: Promise<void>;
  private lastId: string;
  private stopped = false;
  private failing = false;
  private markCaughtUp!: () => void;
  private catchingUp = true;

  constructor(private readonly options: StreamReaderOptions) {
    this.caughtUp = new Promise((resolve) => (this.markCaughtUp = resolve));
    this.lastId = options.after ?? '0';
  }

  /** The id of the last entry read ('0' before the first). */
  get lastRead(): string {
    return this.lastId;
  }

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.options.redis.disconnect();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        const args = this.catchingUp ? [] : ['BLOCK', String(BLOCK_MS)];
        const reply = (await this.options.redis.call('XREAD', 'COUNT', String(COUNT), ...args, 'STREAMS', this.options.stream, this.lastId)) as XReadReply;
        this.failing = false;
        const entries = reply?.[0]?.[1] ?? [];
        for (const [id, fields] of entries) {
          // A reply that came in as it stopped: the node that replaces it reads these from `lastRead`.
          if (this.stopped) return;
          this.lastId = id;
          this.take(id, fields);
        }
        if (this.catchingUp && entries.length < COUNT) {
          this.catchingUp = false;
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

  private take(id: string, fields: string[]): void {
    const { event, problem } = decodeStreamEntry(fields);
    if (!event) {
      this.options.onSkip(id, problem);
      return;
    }
    if (event.node !== this.options.node) {
      this.options.onEvent(id, event);
      return;
    }
    // Before catching up, entries of a previous life under this name are expected.
    if (!this.catchingUp && event.seq > this.options.lastSeq()) {
      this.options.onSkip(
        id,
        `${event.type} under this node's name with seq ${event.seq}, which this node has not reached: another process uses the same name, or someone else writes to the stream`,
      );
    }
  }
}
