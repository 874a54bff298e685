/** Middleware may call `next('text')` or `next({ message })`; everything becomes an Error. */
export function toError(value: unknown): Error & { data?: unknown } {
  if (value instanceof Error) return value;
  if (typeof value === 'string') return new Error(value);
  if (value && typeof value === 'object' && 'message' in value) {
    return Object.assign(new Error(String((value as { message: unknown }).message)), value);
  }
  return new Error(String(value));
}

/**
 * An `async` handler, middleware or callback reports its errors by rejecting
 * the promise it returns: `onRejected` gets them, as a synchronous throw
 * would be caught. Anything else returned is ignored.
 */
export function catchRejection(result: unknown, onRejected: (err: unknown) => void): void {
  if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
    (result as PromiseLike<unknown>).then(undefined, onRejected);
  }
}

/**
 * EventEmitter options for the app-facing emitters (sockets, namespaces):
 * a listener that returns a rejected promise reaches the emitter's
 * `Symbol.for('nodejs.rejection')` method instead of crashing the process.
 */
export const CAPTURE_REJECTIONS = Object.freeze({ captureRejections: true });
