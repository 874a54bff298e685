/**
 * The default sink: the latest `capacity` events in a ring, for the inspector
 * and for `EventLog.events()`. Older events are overwritten, never copied.
 */
import type { LogEvent } from './events';
import type { LogSink } from './sink';

export const DEFAULT_CAPACITY = 10_000;

/**
 * Events are addressed by position: the n-th event written is at position n
 * (1-based). On a single node that is the event's seq; with events of other
 * nodes mixed in (EventLog.ingest) seqs are not ordered, positions are.
 */
export class MemorySink implements LogSink {
  readonly capacity: number;
  private readonly slots: (LogEvent | undefined)[];
  /** Index of the oldest event. */
  private head = 0;
  private count = 0;
  private total = 0;

  constructor(capacity = DEFAULT_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`MemorySink capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.slots = new Array(capacity);
  }

  /** How many events are held now. */
  get size(): number {
    return this.count;
  }

  /** The position of the latest event: how many were ever written. */
  get written(): number {
    return this.total;
  }

  write(event: LogEvent): void {
    this.total++;
    if (this.count < this.capacity) {
      this.slots[(this.head + this.count) % this.capacity] = event;
      this.count++;
    } else {
      this.slots[this.head] = event;
      this.head = (this.head + 1) % this.capacity;
    }
  }

  /** Held events at positions in (since, until], oldest first; all held events by default. */
  events(since = 0, until = Infinity): LogEvent[] {
    const oldest = this.total - this.count + 1;
    const from = Math.max(0, since - oldest + 1);
    const to = Math.min(this.count, until - oldest + 1);
    const out: LogEvent[] = [];
    for (let i = from; i < to; i++) out.push(this.slots[(this.head + i) % this.capacity] as LogEvent);
    return out;
  }

  async close(): Promise<void> {}
}
