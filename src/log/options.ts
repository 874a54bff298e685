/**
 * The Server option `eventLog`, validated, turned into an EventLog.
 *
 *   false                 no retention, no sinks (projections still run: they hold the rooms)
 *   true | undefined      the default in-memory ring of 10,000 events
 *   { capacity, file, sinks, node }
 */
import { z } from 'zod';
import { EventLog } from './event-log';
import { JsonlFileSink } from './file-sink';
import { isLogSink, type LogSink } from './sink';

const positiveInteger = z.number().int().positive();

const fileOption = z.union([
  z.string().min(1),
  z
    .object({
      path: z.string().min(1),
      maxBytes: positiveInteger.optional(),
      maxFiles: positiveInteger.optional(),
    })
    .strict(),
]);

export const eventLogOptionSchema = z
  .union([
    z.boolean(),
    z
      .object({
        capacity: positiveInteger.optional(),
        file: fileOption.optional(),
        sinks: z.array(z.custom<LogSink>(isLogSink, { message: 'each sink needs write(event) and close() methods' })).optional(),
        node: z.string().min(1).optional(),
      })
      .strict(),
  ])
  .optional();

export type EventLogOption = z.infer<typeof eventLogOptionSchema>;

/** Builds the log for the Server option `eventLog`; throws a TypeError naming what is wrong. */
export function createEventLog(option?: EventLogOption): EventLog {
  const parsed = eventLogOptionSchema.safeParse(option);
  if (!parsed.success) throw new TypeError(`Invalid eventLog option:\n${z.prettifyError(parsed.error)}`);
  const value = parsed.data;
  if (value === false) return new EventLog({ capacity: false });
  if (value === true || value === undefined) return new EventLog();
  const sinks = [...(value.sinks ?? [])];
  if (value.file !== undefined) sinks.unshift(new JsonlFileSink(typeof value.file === 'string' ? { path: value.file } : value.file));
  return new EventLog({ capacity: value.capacity, sinks, node: value.node });
}
