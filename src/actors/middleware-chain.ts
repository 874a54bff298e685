/**
 * Runs Connect-style middlewares `(subject, next)` in order. Each `next`
 * counts once; the first error (passed to `next` or thrown) ends the chain.
 * A throw is also reported as an application error, so it is not lost.
 */
import { toError } from './errors';

export type Middleware<T> = (subject: T, next: (err?: unknown) => void) => void;

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
    try {
      chain[index](subject, next);
    } catch (err) {
      onThrow(err);
      next(err);
    }
  };
  step(0);
}
