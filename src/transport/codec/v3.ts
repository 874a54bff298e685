/**
 * Engine.IO protocol 3 (engine.io-client 3.x, socket.io-client 2.x), as
 * engine.io-parser 2.x reads and writes it. Packets: see v3-packet.ts.
 *
 * A polling payload is either text, each packet written as
 * "<length>:<packet>" where length counts UTF-16 code units as JavaScript's
 * String#length does ("6:4héllo" is 6, "3:4😀" is 3), or binary (see
 * v3-binary-payload.ts) when the client supports binary and a packet is binary.
 */
import { isBinaryData, toBuffer } from './binary';
import { type Decoded, type EnginePacket, decodedError, decodedOk, preview } from './packet';
import { decodeBinaryPayload, encodeBinaryPayload } from './v3-binary-payload';
import { decodePacket, encodePacket } from './v3-packet';

export { decodePacket, encodePacket };

/** Longest length prefix accepted: any real payload length has fewer digits. */
const MAX_LENGTH_DIGITS = 15;

/**
 * A polling response body: binary (a Buffer, to send as
 * application/octet-stream) only when the client supports binary and some
 * packet carries binary data; text otherwise, binary packets then in base64.
 */
export function encodePayload(packets: EnginePacket[], supportsBinary: boolean): string | Buffer {
  if (supportsBinary && packets.some((packet) => isBinaryData(packet.data))) {
    return encodeBinaryPayload(packets);
  }
  if (packets.length === 0) return '0:';
  let body = '';
  for (const packet of packets) {
    const encoded = encodePacket(packet, false) as string;
    body += `${encoded.length}:${encoded}`;
  }
  return body;
}

/** Whether an encoded payload is the binary form (sent as application/octet-stream). */
export function isBinaryPayload(body: string | Buffer): body is Buffer {
  return typeof body !== 'string';
}

/** Decodes a polling request body: text, or a Buffer for an application/octet-stream body. */
export function decodePayload(body: string | Buffer): Decoded<EnginePacket[]> {
  if (typeof body !== 'string') {
    if (!isBinaryData(body)) return decodedError('payload is neither text nor binary');
    return decodeBinaryPayload(toBuffer(body));
  }
  if (body.length === 0) return decodedError('empty payload');
  const packets: EnginePacket[] = [];
  let offset = 0;
  while (offset < body.length) {
    const colon = body.indexOf(':', offset);
    const digits = body.slice(offset, colon < 0 ? body.length : colon);
    if (!/^\d+$/.test(digits) || digits.length > MAX_LENGTH_DIGITS) {
      return decodedError(`bad length prefix ${preview(digits)} at offset ${offset}`);
    }
    if (colon < 0) return decodedError(`truncated payload: length prefix without ':' at offset ${offset}`);
    const length = Number(digits);
    const start = colon + 1;
    if (length > body.length - start) {
      return decodedError(`truncated payload: packet at offset ${offset} declares ${length} characters, ${body.length - start} remain`);
    }
    if (length > 0) {
      const decoded = decodePacket(body.slice(start, start + length));
      if (!decoded.ok) return decodedError(`packet ${packets.length} of payload: ${decoded.error}`);
      packets.push(decoded.value);
    }
    offset = start + length;
  }
  return decodedOk(packets);
}
