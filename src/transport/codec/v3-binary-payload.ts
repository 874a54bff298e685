/**
 * The Engine.IO v3 binary ("XHR2") polling payload, as engine.io-parser 2.x
 * writes it. Per packet:
 *
 *   <marker byte: 0 = text, 1 = binary> <length, one byte per decimal digit> 0xFF <packet>
 *
 * A text packet is its encoded string in UTF-8 (see v3-utf8.ts) and the
 * length counts its bytes; a binary packet is [type byte, ...data]. Example: a text "4hi" then
 * a binary message [1, 2]: 00 03 FF 34 68 69 01 03 FF 04 01 02.
 */
import { decodedError, decodedOk, type Decoded, type EnginePacket } from './packet';
import { decodePacket, encodePacket } from './v3-packet';
import { decodeUtf8 } from './v3-utf8';

const TEXT_MARKER = 0;
const BINARY_MARKER = 1;
const LENGTH_END = 0xff;
const MAX_LENGTH_DIGITS = 15;

export function encodeBinaryPayload(packets: EnginePacket[]): Buffer {
  const parts: Buffer[] = [];
  for (const packet of packets) {
    const encoded = encodePacket(packet, true);
    const isText = typeof encoded === 'string';
    const bytes = isText ? Buffer.from(encoded, 'utf8') : encoded;
    const digits = Array.from(String(bytes.length), (digit) => digit.charCodeAt(0) - 48);
    parts.push(Buffer.from([isText ? TEXT_MARKER : BINARY_MARKER, ...digits, LENGTH_END]), bytes);
  }
  return Buffer.concat(parts);
}

export function decodeBinaryPayload(body: Buffer): Decoded<EnginePacket[]> {
  if (body.length === 0) return decodedError('empty payload');
  const packets: EnginePacket[] = [];
  let offset = 0;
  while (offset < body.length) {
    const marker = body[offset];
    if (marker !== TEXT_MARKER && marker !== BINARY_MARKER) {
      return decodedError(`bad packet marker byte ${marker} at offset ${offset} (expected 0 or 1)`);
    }
    let cursor = offset + 1;
    let length = 0;
    while (cursor < body.length && body[cursor] !== LENGTH_END) {
      const digit = body[cursor];
      if (digit > 9) return decodedError(`bad length digit byte ${digit} at offset ${cursor}`);
      if (cursor - offset > MAX_LENGTH_DIGITS) return decodedError(`length prefix too long at offset ${offset}`);
      length = length * 10 + digit;
      cursor++;
    }
    if (cursor >= body.length) return decodedError(`truncated payload: length prefix without 0xFF at offset ${offset}`);
    if (cursor === offset + 1) return decodedError(`empty length prefix at offset ${offset}`);
    const start = cursor + 1;
    if (length > body.length - start) {
      return decodedError(`truncated payload: packet at offset ${offset} declares ${length} bytes, ${body.length - start} remain`);
    }
    const bytes = body.subarray(start, start + length);
    let frame: string | Buffer = bytes;
    if (marker === TEXT_MARKER) {
      const text = decodeUtf8(bytes);
      if (text === undefined) return decodedError(`packet ${packets.length} of payload is not valid UTF-8`);
      frame = text;
    }
    const decoded = decodePacket(frame);
    if (!decoded.ok) return decodedError(`packet ${packets.length} of payload: ${decoded.error}`);
    packets.push(decoded.value);
    offset = start + length;
  }
  return decodedOk(packets);
}
