/**
 * Where logged events go besides the live projections. `write` is called
 * synchronously, in order, once per event, on the event loop: a sink must
 * return at once (buffer, then do its I/O later) and keep the order it was
 * given. `close` flushes what is buffered and releases the sink's resources.
 */
import type { LogEvent } from './events';

export interface LogSink {
  write(event: LogEvent): void;
  close(): Promise<void>;
  /** Resolves when everything written so far has reached its destination; optional. */
  flush?(): Promise<void>;
  /**
   * Optional. The log hands the sink a function to call when it writes again
   * after losing records (a full disk): the log then records `log.dropped`.
   */
  reportDropsTo?(report: (drop: DroppedRecords) => void): void;
}

/** Records a sink could not write, told once it writes again. */
export interface DroppedRecords {
  /** Which sink, e.g. `file`. */
  sink: string;
  count: number;
  /** The seqs of the first and the last record lost. */
  firstSeq: number;
  lastSeq: number;
  /** The first failure, e.g. `ENOSPC: no space left on device, write`. */
  reason: string;
}

export function isLogSink(value: unknown): value is LogSink {
  return typeof value === 'object' && value !== null && typeof (value as LogSink).write === 'function' && typeof (value as LogSink).close === 'function';
}
