/**
 * The default sink: the latest `capacity` events in a ring, for the inspector
 * and for `EventLog.events()`. Older events are overwritten, never copied.
 */
import type { LogEvent } from './events';
import type { LogSink } from './sink';

export const DEFAULT_CAPACITY = 10_000;

export class MemorySink implements LogSink {
  readonly capacity: number;
  private readonly slots: (LogEvent | undefined)[];
  /** Index of the oldest event. */
  private head = 0;
  private count = 0;

  constructor(capacity = DEFAULT_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`MemorySink capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.slots = new Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  write(event: LogEvent): void {
    if (this.count < this.capacity) {
      this.slots[(this.head + this.count) % this.capacity] = event;
      this.count++;
    } else {
      this.slots[this.head] = event;
      this.head = (this.head + 1) % this.capacity;
    }
  }

  /** Retained events with `seq` greater than `since` (all when omitted), oldest first. */
  events(since = -Infinity): LogEvent[] {
    const first = this.firstAfter(since);
    const out: LogEvent[] = [];
    for (let i = first; i < this.count; i++) out.push(this.at(i));
    return out;
  }

  async close(): Promise<void> {}

  private at(offset: number): LogEvent {
    return this.slots[(this.head + offset) % this.capacity] as LogEvent;
  }

  /** Binary search: seq grows with each write, so the ring is sorted by it. */
  private firstAfter(since: number): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.at(mid).seq > since) high = mid;
      else low = mid + 1;
    }
    return low;
  }
}
