/**
 * Who a connection was: the opt-in `eventLog.label(handshake, socket)` of
 * the application, called once when a socket connects to a namespace. Its
 * answer is recorded on the `socket.connect` record, so replay, the timeline
 * and the inspector can show it and search it. The raw handshake (auth
 * token, query) never enters the log: the application decides what is worth
 * naming, e.g. a user id.
 *
 * The label is the application's code running on a client's input, so:
 * - it is cut to MAX_LABEL characters (with the hash marker of bound.ts, so
 *   two long labels stay distinct);
 * - a label function that throws, or returns something else than a string,
 *   is an application error to report, never a crash; the socket then
 *   connects without a label;
 * - undefined or null means "no label for this socket".
 * Where a label is shown it is escaped like any client string (visible-text.ts, html.ts).
 */
import { cutString } from './bound';

export const MAX_LABEL = 200;

/** `eventLog.label`: the handshake and socket types are the server's (the log layer does not know them). */
export type LabelFunction<H = never, S = never> = (handshake: H, socket: S) => string | undefined | null;

export interface LabelOutcome {
  label?: string;
  /** What to report as an application error: the label function threw or returned a non-string. */
  error?: Error;
}

const NONE: LabelOutcome = {};

/** Calls `label` with the socket's handshake and the socket the application holds (its face's on iostate/v4); never throws. */
export function labelSocket<H, S>(label: LabelFunction<H, S> | undefined, handshake: H, socket: S): LabelOutcome {
  if (label === undefined) return NONE;
  let value: unknown;
  try {
    value = label(handshake, socket);
  } catch (thrown) {
    return { error: labelError(thrown) };
  }
  if (value === undefined || value === null) return NONE;
  if (typeof value !== 'string') {
    const kind = typeof (value as { then?: unknown }).then === 'function' ? 'a promise (it must answer at once)' : `a ${typeof value}`;
    return { error: new TypeError(`eventLog.label must return a string, got ${kind}`) };
  }
  if (value === '') return NONE;
  return { label: value.length > MAX_LABEL ? cutString(value, MAX_LABEL) : value };
}

/** The thrown value, named as the label function's failure; its type and stack kept (app-error.ts reads them). */
function labelError(thrown: unknown): Error {
  const original = thrown instanceof Error ? thrown : undefined;
  let message: string;
  try {
    message = original ? original.message : String(thrown);
  } catch {
    message = Object.prototype.toString.call(thrown);
  }
  const error = new Error(`eventLog.label threw: ${message}`, { cause: thrown });
  if (original) {
    const type = original.name !== 'Error' ? String(original.name) : original.constructor?.name;
    if (typeof type === 'string' && type !== '' && type !== 'Error') error.name = type;
    if (typeof original.stack === 'string') error.stack = original.stack;
  }
  return error;
}
