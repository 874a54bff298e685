/**
 * The Server option `eventLog`, validated, turned into an EventLog.
 *
 *   false                 no retention, no sinks (projections still run: they hold the rooms)
 *   true | undefined      the default in-memory ring of 10,000 events
 *   { capacity, retainClosed, file, sinks, node, perConnection, sensitive, label }
 */
import { z } from 'zod';
import type { SensitiveFields } from './bound';
import type { ConnectionShareOptions } from './connection-share';
import type { LabelFunction } from './connection-label';
import { EventLog } from './event-log';
import { JsonlFileSink } from './file-sink';
import { isLogSink, type LogSink } from './sink';

const positiveInteger = z.number().int().positive();

const fileOption = z.preprocess(
  (value) => (typeof value === 'string' ? { path: value } : value),
  z
    .object({
      path: z.string().min(1),
      maxBytes: positiveInteger.optional(),
      maxFiles: positiveInteger.optional(),
    })
    .strict(),
);

const objectOption = z
  .object({
    capacity: positiveInteger.optional(),
    retainClosed: z.number().int().nonnegative().optional(),
    file: fileOption.optional(),
    sinks: z.array(z.custom<LogSink>(isLogSink, { message: 'each sink needs write(event) and close() methods' })).optional(),
    node: z.string().min(1).optional(),
    perConnection: z.union([z.literal(false), z.object({ records: positiveInteger, windowMs: positiveInteger }).strict()]).optional(),
    sensitive: z.object({ refusalData: z.boolean().optional(), errorStacks: z.boolean().optional() }).strict().optional(),
    label: z
      .custom<LabelFunction<unknown, unknown>>((value) => typeof value === 'function', { message: 'label must be a function (handshake, socket) => string' })
      .optional(),
  })
  .strict();

/** For embedding in the Server options schema; createEventLog gives clearer errors than a union does. */
export const eventLogOptionSchema = z.union([z.boolean(), objectOption]).optional();

/** `H` and `S`: the server's handshake and socket types, which `label` is called with. */
export type EventLogOption<H = never, S = never> =
  | boolean
  | undefined
  | {
      capacity?: number;
      /** Closed sessions the sessions projection keeps for the inspector and `io.inspect()`. Default 1,000. */
      retainClosed?: number;
      file?: string | { path: string; maxBytes?: number; maxFiles?: number };
      sinks?: LogSink[];
      node?: string;
      /** One connection's share of the log; `false`: no limit. Default 200 records per minute. */
      perConnection?: ConnectionShareOptions | false;
      /** Possibly secret fields the log keeps. Default: none. */
      sensitive?: SensitiveFields;
      /** Who each socket was, recorded on its connect (connection-label.ts). Default: no label. */
      label?: LabelFunction<H, S>;
    };

/** Builds the log for the Server option `eventLog`; throws a TypeError naming what is wrong. */
export function createEventLog<H, S>(option?: EventLogOption<H, S>): EventLog {
  if (option === false) return new EventLog({ capacity: false });
  if (option === true || option === undefined) return new EventLog();
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    throw new TypeError(`Invalid eventLog option: expected false, true or an options object, got ${JSON.stringify(option)}`);
  }
  const parsed = objectOption.safeParse(option);
  if (!parsed.success) throw new TypeError(`Invalid eventLog option:\n${z.prettifyError(parsed.error)}`);
  const { capacity, retainClosed, file, sinks = [], node, perConnection, sensitive, label } = parsed.data;
  return new EventLog({ capacity, retainClosed, node, perConnection, sensitive, label, sinks: file ? [new JsonlFileSink(file), ...sinks] : sinks });
}
