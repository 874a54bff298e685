/**
 * An estimate of the bytes a packet's data takes, for the store's byte bound:
 * one walk, no encoding. Strings count their length, binary its byte length,
 * numbers 8; nesting past MAX_DEPTH is not counted (data a packet encoder
 * could send is never that deep).
 */
const MAX_DEPTH = 32;

export function estimateBytes(value: unknown, depth = 0): number {
  if (depth > MAX_DEPTH) return 0;
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
    case 'bigint':
      return 8;
    case 'boolean':
      return 5;
    case 'object': {
      if (value === null) return 4;
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value.byteLength;
      let total = 2;
      if (Array.isArray(value)) {
        for (const item of value) total += estimateBytes(item, depth + 1) + 1;
        return total;
      }
      for (const key of Object.keys(value)) total += key.length + 3 + estimateBytes((value as Record<string, unknown>)[key], depth + 1);
      return total;
    }
    default:
      return 0;
  }
}
