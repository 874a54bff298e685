/**
 * A connection's timeline as the text output prints it, kept while the
 * connection is open as its lines already written out in UTF-8: one line
 * an event, a run of more than two heartbeats as "N heartbeats … the last:
 * …". Bytes in a buffer are off the JavaScript heap, where the events
 * themselves, kept for as long as their connection stays open, outlived
 * the young generation and were copied into the old one (the collector's
 * work, and the heap's size, grew with every open connection's timeline).
 * The descriptions are client-chosen text: the lines are written as they
 * are and, when printed, checked in one pass over their bytes, then shown
 * through `visibleLines` if anything in them must not reach a terminal.
 */
import { clock } from '../log/clock';
import { describeEvent } from '../log/describe-event';
import type { LogEvent } from '../log/events';
import type { TimelineKeeper } from '../log/replay-stream';
import { hasUnsafeUtf8, oneLine, visibleLines } from '../inspect/visible-text';
import { MAX_BYTES_PER_UNIT } from './replay-output';

const INDENT = '      ';
/** Room for a short timeline from Buffer's shared pool. */
const FIRST_BYTES = 1024;
/** " … " as UTF-8: written as bytes, it keeps the line around it a one-byte string. */
const ELLIPSIS = Buffer.from(' … ');
const EMPTY: Buffer = Buffer.alloc(0);

export class TextTimeline {
  private bytes = EMPTY;
  private size = 0;
  /** The run of heartbeats the timeline ends with, written once it ends. */
  private runFirst: LogEvent | undefined;
  private runLast: LogEvent | undefined;
  private runCount = 0;

  add(event: LogEvent): void {
    if (event.type === 'conn.heartbeat') {
      this.runFirst ??= event;
      this.runLast = event;
      this.runCount++;
      return;
    }
    this.endRun();
    this.line(event);
  }

  /** The lines, ending each with a line break, safe to print; the timeline is done with. */
  lines(): Buffer {
    this.endRun();
    const lines = this.bytes.subarray(0, this.size);
    // A line of nothing but UTF-8 encoded text decodes back to the same text (U+FFFD for a lone surrogate, as printed).
    return hasUnsafeUtf8(lines) ? Buffer.from(visibleLines(lines.toString('utf8'))) : lines;
  }

  private line(event: LogEvent): void {
    this.write(`${INDENT}${clock(event.ts)}  ${oneLine(describeEvent(event))}\n`);
  }

  private endRun(): void {
    const first = this.runFirst;
    const last = this.runLast;
    if (first === undefined || last === undefined) return;
    if (this.runCount > 2) {
      this.write(`${INDENT}${clock(first.ts)}`);
      this.reserve(ELLIPSIS.length);
      this.size += ELLIPSIS.copy(this.bytes, this.size);
      this.write(`${clock(last.ts)}  ${this.runCount} heartbeats, the last: ${oneLine(describeEvent(last))}\n`);
    } else {
      this.line(first);
      if (this.runCount === 2) this.line(last);
    }
    this.runFirst = undefined;
    this.runLast = undefined;
    this.runCount = 0;
  }

  private write(text: string): void {
    this.reserve(text.length * MAX_BYTES_PER_UNIT);
    this.size += this.bytes.write(text, this.size);
  }

  private reserve(bytes: number): void {
    if (this.size + bytes <= this.bytes.length) return;
    const larger = Buffer.allocUnsafe(Math.max(FIRST_BYTES, 2 * this.bytes.length, this.size + bytes));
    this.bytes.copy(larger, 0, 0, this.size);
    this.bytes = larger;
  }
}

/** Keeps each open connection's timeline as a TextTimeline. */
export const textTimelines: TimelineKeeper<TextTimeline> = {
  begin: () => new TextTimeline(),
  add: (timeline, event) => timeline.add(event),
  none: new TextTimeline(),
};

/**
 * The same for connections that begin while `printable()` holds; the others
 * get no timeline (`--limit` reached: no later connection is printed, so
 * their events need not be written out).
 */
export function textTimelinesWhile(printable: () => boolean): TimelineKeeper<TextTimeline> {
  const { none } = textTimelines;
  return {
    begin: () => (printable() ? new TextTimeline() : none),
    add: (timeline, event) => {
      if (timeline !== none) timeline.add(event);
    },
    none,
  };
}
