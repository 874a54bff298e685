/**
 * Appends events to a Redis stream, so that the nodes of a cluster share one
 * log: each entry is `XADD <stream> [MAXLEN ~ n] * e <event as JSON>`.
 *
 * - `write` never blocks: events are queued and sent once per tick, each
 *   batch pipelined on one connection, one batch at a time, so order is kept.
 * - While Redis is away the events stay queued (up to `maxBuffered`; past it
 *   the oldest are dropped and reported) and go out, in order, once it is
 *   back; a lost reply may resend an event, which folds the same twice.
 * - An event longer than the other nodes take in (MAX_EVENT_CHARS, see
 *   untrusted-event.ts) is not appended, and is reported: it would only
 *   take Redis memory, and every reader would skip it.
 * The client is anything with ioredis's `call(command, ...args)`.
 */
import type { LogEvent } from './events';
import type { LogSink } from './sink';
import { printableJson } from './safe-json';
import { MAX_EVENT_CHARS } from './untrusted-event';

export interface RedisCommandClient {
  call(command: string, ...args: string[]): Promise<unknown>;
}

export interface RedisStreamSinkOptions {
  client: RedisCommandClient;
  /** The stream's key. */
  stream: string;
  /** Trim the stream to about this many entries; `false` never trims. Default 100,000. */
  maxLen?: number | false;
  /** Events kept while Redis is unreachable. Default 100,000. */
  maxBuffered?: number;
  /** Wait before retrying after a failed batch (ms). Default 500. */
  retryDelay?: number;
  /**
   * How long close() waits for the last events to reach Redis (ms); the rest are reported and dropped. A client
   * that queues commands while Redis is away (ioredis) would otherwise hold the close for the whole outage. Default 5000.
   */
  closeTimeout?: number;
  /** Failures (once per outage) and dropped events. Default: a process warning. */
  onError?: (error: Error) => void;
}

const BATCH = 1000;

export class RedisStreamSink implements LogSink {
  readonly stream: string;
  private readonly client: RedisCommandClient;
  private readonly trim: string[];
  private readonly maxBuffered: number;
  private readonly retryDelay: number;
  private readonly closeTimeout: number;
  private readonly onError: (error: Error) => void;
  private queue: string[] = [];
  /** Events taken by write(), and events sent or dropped since: flush() waits for the first count, not for an idle sink. */
  private accepted = 0;
  private settled = 0;
  private draining: Promise<void> | undefined;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private failing = false;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(options: RedisStreamSinkOptions) {
    this.client = options.client;
    this.stream = options.stream;
    const maxLen = options.maxLen ?? 100_000;
    this.trim = maxLen === false ? [] : ['MAXLEN', '~', String(maxLen)];
    this.maxBuffered = options.maxBuffered ?? 100_000;
    this.retryDelay = options.retryDelay ?? 500;
    this.closeTimeout = options.closeTimeout ?? 5000;
    this.onError = options.onError ?? ((error) => process.emitWarning(error.message, 'IostateEventLogWarning'));
  }

  /** Events waiting to reach Redis. */
  get pending(): number {
    return this.queue.length;
  }

  write(event: LogEvent): void {
    if (this.closed) return;
    let line: string;
    try {
      line = printableJson(event);
    } catch (error) {
      this.onError(new Error(`event log stream ${this.stream}: event ${event.seq} (${event.type}) cannot be serialised: ${(error as Error).message}`));
      return;
    }
    if (line.length > MAX_EVENT_CHARS) {
      this.onError(
        new Error(
          `event log stream ${this.stream}: a ${event.type} event of ${line.length} characters was not appended (other nodes take at most ${MAX_EVENT_CHARS})`,
        ),
      );
      return;
    }
    this.queue.push(line);
    this.accepted++;
    if (this.queue.length > this.maxBuffered) {
      const dropped = this.queue.length - this.maxBuffered;
      this.queue.splice(0, dropped);
      this.settled += dropped;
      this.onError(new Error(`event log stream ${this.stream}: Redis unreachable, dropped the ${dropped} oldest buffered event(s)`));
    }
    this.schedule(0);
  }

  /** Resolves once everything written so far reached Redis, or the last attempt failed. */
  async flush(): Promise<void> {
    // Counted, not "until the sink is idle": a server that records all the time would never let that end.
    const target = this.accepted;
    while (this.settled < target) {
      if (this.draining) await this.draining;
      else if (this.timer && !this.failing) await new Promise((resolve) => setImmediate(resolve));
      else return;
    }
  }

  /** Sends what is queued (one more attempt if Redis was away), then stops. Every call waits for that. */
  close(): Promise<void> {
    // The log that it is a sink of closes it, and so does the cluster node that made it: both wait for the last batch.
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    this.closed = true;
    const lastAttempt = (async () => {
      await this.flush();
      this.cancelTimer();
      if (this.queue.length > 0) await this.drain();
    })();
    let giveUp: NodeJS.Timeout | undefined;
    await Promise.race([lastAttempt, new Promise<void>((resolve) => (giveUp = setTimeout(resolve, this.closeTimeout)))]);
    clearTimeout(giveUp);
    this.cancelTimer();
    if (this.queue.length > 0) {
      this.onError(new Error(`event log stream ${this.stream}: closed with ${this.queue.length} event(s) that never reached Redis`));
      this.settled += this.queue.length;
      this.queue = [];
    }
  }

  private schedule(delay: number): void {
    if (this.draining || this.timer) return;
    const run = () => {
      this.timer = undefined;
      this.draining = this.drain().finally(() => {
        this.draining = undefined;
        if (this.queue.length > 0 && !this.closed) this.schedule(this.failing ? this.retryDelay : 0);
      });
    };
    if (delay === 0) {
      this.timer = setImmediate(run);
    } else {
      this.timer = setTimeout(run, delay);
      this.timer.unref();
    }
  }

  private cancelTimer(): void {
    if (!this.timer) return;
    // Each clear function ignores the other kind of handle.
    clearTimeout(this.timer as NodeJS.Timeout);
    clearImmediate(this.timer as NodeJS.Immediate);
    this.timer = undefined;
  }

  /** Sends what is queued now; events queued meanwhile get the next drain, so that each drain ends and flush() can wait on it. */
  private async drain(): Promise<void> {
    for (let left = this.queue.length; left > 0; left -= BATCH) {
      const batch = this.queue.slice(0, Math.min(BATCH, left));
      const results = await Promise.allSettled(batch.map((line) => this.client.call('XADD', this.stream, ...this.trim, '*', 'e', line)));
      const failed = results.findIndex((result) => result.status === 'rejected');
      const sent = failed === -1 ? batch.length : failed;
      this.queue.splice(0, sent);
      this.settled += sent;
      if (failed !== -1) {
        if (!this.failing) {
          const reason = (results[failed] as PromiseRejectedResult).reason as Error;
          this.onError(new Error(`event log stream ${this.stream}: cannot append (${reason?.message ?? reason}); keeping events until Redis is back`));
        }
        this.failing = true;
        return;
      }
      this.failing = false;
    }
  }
}
