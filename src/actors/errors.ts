/** Middleware may call `next('text')` or `next({ message })`; everything becomes an Error. */
export function toError(value: unknown): Error & { data?: unknown } {
  if (value instanceof Error) return value;
  if (typeof value === 'string') return new Error(value);
  if (value && typeof value === 'object' && 'message' in value) {
    return Object.assign(new Error(String((value as { message: unknown }).message)), value);
  }
  return new Error(String(value));
}
