/**
 * What an `app.error` record says about a value the application threw: its
 * message, its type, and its stack, which the log keeps only when the
 * application opts in (`eventLog.sensitive.errorStacks`, see bound.ts): a
 * stack names files and may quote the data that broke the handler.
 */
export interface AppErrorFacts {
  message: string;
  errorType: string;
  stack?: string;
}

export function appErrorFacts(thrown: unknown): AppErrorFacts {
  if (!(thrown instanceof Error)) {
    // Middleware may call `next('text')` or `next({ message })`.
    const message = typeof thrown === 'object' && thrown !== null && 'message' in thrown ? thrown.message : thrown;
    return { message: printable(message), errorType: thrown === null ? 'null' : typeof thrown };
  }
  const facts: AppErrorFacts = { message: thrown.message, errorType: errorType(thrown) };
  if (typeof thrown.stack === 'string') facts.stack = thrown.stack;
  return facts;
}

/** `TypeError`, or the class name of `class AuthError extends Error {}` (whose `name` stays `Error`). */
function errorType(error: Error): string {
  if (error.name !== 'Error') return String(error.name);
  const constructorName: unknown = error.constructor?.name;
  return typeof constructorName === 'string' && constructorName !== '' ? constructorName : 'Error';
}

function printable(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
