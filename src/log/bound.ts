/**
 * What a record may hold once it leaves the process (memory ring,
 * subscribers such as the inspector, file, Redis stream). Clients choose
 * many of its strings (namespace names, close reasons, error messages), so:
 *
 * - a string keeps its first MAX_STRING characters, then a marker with its
 *   original length and a short hash: `/ns-aaaa…[cut: 100000 chars, sha256
 *   1f0c2a9b3e4d]`. The same long string always cuts to the same text, and
 *   two long strings with the same beginning cut to different texts, so
 *   replay still joins a socket's records together;
 * - a list or an object keeps MAX_ITEMS entries, nesting stops at MAX_DEPTH,
 *   and what a record nests (lists, settings, data) holds about MAX_RECORD
 *   characters in all; the record's own fields are never dropped, so it
 *   stays a valid event;
 * - secrets stay out unless the application opts in: a refusal's `data`
 *   (a middleware's `err.data`, which may hold the rejected token) and an
 *   application error's `stack`.
 *
 * The common record has nothing to cut: it is returned as it is, after one
 * walk over its fields and no copy.
 */
import type { LogEvent } from './events';
import { stringDigest } from './string-digest';

export const MAX_STRING = 1024;
export const MAX_ITEMS = 64;
export const MAX_DEPTH = 4;
export const MAX_RECORD = 16 * 1024;

/** What the application may choose to keep in the log although it may be secret. */
export interface SensitiveFields {
  /** `socket.refused.data`: the `data` of a middleware's error. Default false. */
  refusalData?: boolean;
  /** `app.error.stack`. Default false. */
  errorStacks?: boolean;
}

/** What is left of the record's character budget while it is walked (the walk is synchronous). */
let left = 0;

/** `event` itself when nothing is cut or withheld, else a bounded copy. */
export function boundEvent(event: LogEvent, sensitive: SensitiveFields): LogEvent {
  let out = event;
  if (out.type === 'app.error' && out.stack !== undefined && !sensitive.errorStacks) out = without(out, 'stack');
  else if (out.type === 'socket.refused' && out.data !== undefined && !sensitive.refusalData) out = without(out, 'data');
  left = MAX_RECORD;
  return boundObject(out, 0) as LogEvent;
}

function without<E extends LogEvent>(event: E, key: keyof E): E {
  const copy = Object.assign({}, event);
  delete copy[key];
  return copy;
}

function boundValue(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      return boundString(value, depth === 1 ? MAX_STRING : Math.min(MAX_STRING, Math.max(left, 0)));
    case 'number':
    case 'boolean':
      left -= 8;
      return value;
    case 'bigint':
      return boundValue(String(value), depth);
    case 'object':
      if (value === null) {
        left -= 4;
        return value;
      }
      if (depth >= MAX_DEPTH) return '[cut: nested too deep]';
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return boundValue((value as { toJSON(): unknown }).toJSON(), depth);
      return Array.isArray(value) ? boundArray(value, depth) : boundObject(value as Record<string, unknown>, depth);
    default:
      // Functions, symbols, undefined: JSON leaves them out.
      return undefined;
  }
}

function boundString(value: string, room: number): string {
  if (value.length <= room) {
    left -= value.length;
    return value;
  }
  left -= room;
  return cutString(value, room);
}

/**
 * `value`, or its cut when it is longer than MAX_STRING, short enough that
 * `boundEvent` leaves it as it is (the marker holds at most 60 characters).
 * For a client's string that a projection keeps as given (a refused
 * namespace's name): the live projection then holds what replay reads back,
 * and no more than MAX_STRING characters of it.
 */
export function fitString(value: string): string {
  return value.length <= MAX_STRING ? value : cutString(value, MAX_STRING - 60);
}

/** The first `keep` characters (never half a surrogate pair), the original length and a hash. */
export function cutString(value: string, keep: number): string {
  let end = keep;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  const hash = stringDigest(value).digest('hex').slice(0, 12);
  return `${value.slice(0, end)}…[cut: ${value.length} chars, sha256 ${hash}]`;
}

function boundArray(list: unknown[], depth: number): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < list.length; i++) {
    if (i >= MAX_ITEMS || left <= 0) {
      copy ??= list.slice(0, i);
      copy.push(`…[cut: ${list.length} items]`);
      break;
    }
    const item = list[i];
    const bounded = boundValue(item, depth + 1);
    if (copy) copy.push(bounded);
    else if (bounded !== item) (copy = list.slice(0, i)).push(bounded);
  }
  return copy ?? list;
}

function boundObject(object: Record<string, unknown>, depth: number): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  let count = 0;
  for (const key in object) {
    // The record itself is a plain object the log made: checking its keys would double the cost of the walk.
    if (depth > 0 && !Object.hasOwn(object, key)) continue;
    if (depth > 0 && (count++ >= MAX_ITEMS || left <= 0)) {
      copy ??= copyBefore(object, key);
      copy['…'] = `[cut: ${Object.keys(object).length} keys]`;
      break;
    }
    const value = object[key];
    const name = key.length > MAX_STRING ? boundString(key, MAX_STRING) : key;
    if (name === key) left -= key.length;
    const bounded = boundValue(value, depth + 1);
    if (!copy && (bounded !== value || name !== key)) copy = copyBefore(object, key);
    if (copy) copy[name] = bounded;
  }
  return copy ?? object;
}

/** A copy of the entries before `stop`. */
function copyBefore(object: Record<string, unknown>, stop: string): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key in object) {
    if (key === stop) break;
    if (Object.hasOwn(object, key)) copy[key] = object[key];
  }
  return copy;
}
