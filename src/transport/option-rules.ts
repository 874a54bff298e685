/**
 * Options are checked once, when a server is built, so that a wrong type
 * fails at the line that wrote it instead of reaching clients or the log.
 * Each option has a zod schema and the words for what it takes, so the error
 * names the field: "iostate: option pingInterval must be a number of
 * milliseconds from 0 to 2147483647, got string".
 */
import { z } from 'zod';

export interface OptionRule {
  readonly schema: z.ZodType;
  /** What the option takes, as the end of "must be …". */
  readonly expected: string;
  /** Rules for known fields of an object value, checked when the value is an object. */
  readonly fields?: Readonly<Record<string, OptionRule>>;
}

export function optionRule(expected: string, schema: z.ZodType, fields?: Record<string, OptionRule>): OptionRule {
  return { expected, schema, fields };
}

/** setTimeout turns a longer delay into 1 ms: a typo of one digit would make a ping storm. */
export const MAX_DELAY = 2 ** 31 - 1;

const isFunction = (value: unknown): boolean => typeof value === 'function';
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof RegExp);
}

export const functionSchema = z.custom<(...args: any[]) => unknown>(isFunction);
export const objectSchema = z.custom<Record<string, unknown>>(isPlainObject);

export const delayRule = optionRule(`a number of milliseconds from 0 to ${MAX_DELAY}`, z.number().min(0).max(MAX_DELAY));
export const booleanRule = optionRule('true or false', z.boolean());
export const functionRule = optionRule('a function', functionSchema);
/** A byte count; Infinity lifts the limit. */
export const bytesRule = optionRule(
  'a number of bytes (0 or more, or Infinity)',
  z.custom<number>((v) => typeof v === 'number' && v >= 0),
);

/** Throws a TypeError naming `where` (e.g. "option pingInterval") when `value` breaks `rule`. */
export function checkOption(where: string, rule: OptionRule, value: unknown): void {
  if (!rule.schema.safeParse(value).success) throw new TypeError(`iostate: ${where} must be ${rule.expected}, got ${describeValue(value)}`);
  if (!rule.fields || !isPlainObject(value)) return;
  for (const [field, fieldRule] of Object.entries(rule.fields)) {
    if (value[field] !== undefined) checkOption(`${where}.${field}`, fieldRule, value[field]);
  }
}

/** The type of a wrong value, and the value itself for numbers (a range error shows what was given). */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof RegExp) return 'a RegExp';
  if (typeof value === 'number') return String(value);
  return typeof value;
}
