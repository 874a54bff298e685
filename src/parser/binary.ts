/**
 * Binary data inside Socket.IO packets: finding it, replacing it with
 * numbered placeholders for encoding, and putting the attachments back when
 * decoding. Binary is a Buffer, an ArrayBuffer or any ArrayBuffer view,
 * nested anywhere in arrays and plain objects; objects with toJSON are seen
 * through it, as socket.io-parser does.
 */

export type BinaryData = ArrayBuffer | ArrayBufferView;

export interface Placeholder {
  _placeholder: true;
  num: number;
}

export function isBinary(value: unknown): value is BinaryData {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

export function toBuffer(data: BinaryData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function hasToJSON(value: object): value is { toJSON(): unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

/** Whether binary data appears anywhere in value. Value must be acyclic, like anything JSON can encode. */
export function hasBinary(value: unknown): boolean {
  return containsBinary(value, false);
}

// Plain loops: this runs for every emit, on the data plane.
function containsBinary(value: unknown, viaToJSON: boolean): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (containsBinary(value[i], false)) return true;
    return false;
  }
  if (isBinary(value)) return true;
  if (!viaToJSON && hasToJSON(value)) return containsBinary(value.toJSON(), true);
  for (const key in value) {
    if (Object.hasOwn(value, key) && containsBinary((value as Record<string, unknown>)[key], false)) return true;
  }
  return false;
}

/**
 * A copy of value with every binary replaced by {_placeholder: true, num}
 * and the binaries appended to attachments in order. Value is not mutated.
 */
export function replaceBinaryWithPlaceholders(value: unknown, attachments: Buffer[], viaToJSON = false): unknown {
  if (!value || typeof value !== 'object') return value;
  if (isBinary(value)) {
    const placeholder: Placeholder = { _placeholder: true, num: attachments.length };
    attachments.push(toBuffer(value));
    return placeholder;
  }
  if (Array.isArray(value)) return value.map((item) => replaceBinaryWithPlaceholders(item, attachments));
  if (value instanceof Date) return value;
  if (!viaToJSON && hasToJSON(value)) return replaceBinaryWithPlaceholders(value.toJSON(), attachments, true);
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    if (Object.hasOwn(value, key)) {
      setOwn(copy, key, replaceBinaryWithPlaceholders((value as Record<string, unknown>)[key], attachments));
    }
  }
  return copy;
}

/** Where a placeholder sits in decoded JSON, so that its attachment can be put there. */
interface PlaceholderSlot {
  parent: Record<string, unknown> | unknown[];
  key: string | number;
  num: number;
}

/** The placeholders of one decoded packet; the data sits in a holder so a placeholder at the root has a parent too. */
export interface PlaceholderPlan {
  holder: { data: unknown };
  slots: PlaceholderSlot[];
}

/**
 * Finds the placeholders in freshly parsed JSON, checking that each refers
 * to one of the attachments. Iterative, so deeply nested input cannot
 * overflow the stack. Returns the plan, or an error message.
 */
export function findPlaceholders(data: unknown, attachments: number): PlaceholderPlan | string {
  const plan: PlaceholderPlan = { holder: { data }, slots: [] };
  const stack: Array<Record<string, unknown> | unknown[]> = [plan.holder];
  while (stack.length > 0) {
    const parent = stack.pop()!;
    const keys: Array<string | number> = Array.isArray(parent) ? parent.map((_, i) => i) : Object.keys(parent);
    for (const key of keys) {
      const child = (parent as Record<string | number, unknown>)[key];
      if (!child || typeof child !== 'object') continue;
      if ((child as Partial<Placeholder>)._placeholder !== true) {
        stack.push(child as Record<string, unknown> | unknown[]);
        continue;
      }
      const { num } = child as { num?: unknown };
      if (typeof num !== 'number' || !Number.isInteger(num) || num < 0 || num >= attachments) {
        return `placeholder num ${JSON.stringify(num) ?? 'undefined'} is not an integer in [0, ${attachments})`;
      }
      plan.slots.push({ parent, key, num });
    }
  }
  return plan;
}

/** Puts each attachment where its placeholder was; returns the data. */
export function fillPlaceholders(plan: PlaceholderPlan, attachments: Buffer[]): unknown {
  for (const { parent, key, num } of plan.slots) {
    if (Array.isArray(parent)) parent[key as number] = attachments[num];
    else setOwn(parent, key as string, attachments[num]);
  }
  return plan.holder.data;
}

// A "__proto__" key from JSON.parse is an own property; plain assignment would change the prototype instead.
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
