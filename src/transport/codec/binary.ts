/**
 * Binary helpers shared by the Engine.IO codecs: normalising binary data to
 * Buffers and strict base64 decoding (Node's decoder silently skips invalid
 * characters, which would turn garbage into a "valid" packet).
 */

export function isBinaryData(value: unknown): value is Buffer | ArrayBuffer | ArrayBufferView {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

/** A Buffer view of any binary value, without copying. */
export function toBuffer(data: Buffer | ArrayBuffer | ArrayBufferView): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes standard base64 (padding optional); undefined on any invalid character or length. */
export function decodeBase64(text: string): Buffer | undefined {
  if (!BASE64.test(text)) return undefined;
  const unpadded = text.length - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0);
  if (unpadded % 4 === 1) return undefined;
  if (text.length !== unpadded && text.length % 4 !== 0) return undefined;
  return Buffer.from(text, 'base64');
}
