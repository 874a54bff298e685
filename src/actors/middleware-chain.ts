/**
 * Runs Connect-style middlewares `(subject, next)` in order. Each `next`
 * counts once; the first error (passed to `next`, thrown, or the rejection
 * of an `async` middleware) ends the chain. A throw or a rejection is also
 * reported as an application error, so it is not lost.
 */
import { catchRejection, toError } from './errors';

export type Middleware<T> = (subject: T, next: (err?: unknown) => void) => unknown;

export function runMiddlewares<T>(
  fns: readonly Middleware<T>[],
  subject: T,
  onThrow: (err: unknown) => void,
  done: (err?: Error & { data?: unknown }) => void,
): void {
  const chain = fns.slice();
  if (chain.length === 0) return done();
  const step = (index: number): void => {
    let called = false;
    const next = (err?: unknown) => {
      if (called) return;
      called = true;
      if (err) return done(toError(err));
      if (index + 1 >= chain.length) return done();
      step(index + 1);
    };
    // toError: a middleware that throws or rejects with nothing (`throw undefined`) still fails.
    const fail = (err: unknown) => {
      const error = toError(err);
      onThrow(error);
      next(error);
    };
    try {
      catchRejection(chain[index](subject, next), fail);
    } catch (err) {
      fail(err);
    }
  };
  step(0);
}
