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
}

export function isLogSink(value: unknown): value is LogSink {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as LogSink).write === 'function' &&
    typeof (value as LogSink).close === 'function'
  );
}
