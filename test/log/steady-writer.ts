import type { LogEvent } from '../../src/log/events';
import type { LogSink } from '../../src/log/sink';

/**
 * Writes an event to the sink at every turn of the event loop, as a busy
 * server records all the time, and calls flush() once some are written.
 * Resolves with how many events were written before that flush() began,
 * once it ended; the writing then stops.
 */
export async function flushUnderSteadyWrites(sink: LogSink, event: (seq: number) => LogEvent): Promise<number> {
  let seq = 0;
  let writing = true;
  const writeForever = (): void => {
    if (!writing) return;
    sink.write(event(++seq));
    setImmediate(writeForever);
  };
  writeForever();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const before = seq;
  try {
    await sink.flush?.();
  } finally {
    writing = false;
  }
  return before;
}
