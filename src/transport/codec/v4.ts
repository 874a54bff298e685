/**
 * Engine.IO protocol 4 framing (engine.io-client 4+, socket.io-client 3+).
 *
 * A text packet is its type digit followed by its data ("4hello"). Only
 * message packets carry binary: as a raw WebSocket binary frame when the
 * transport can carry binary, otherwise as "b" + base64. A polling payload
 * joins encoded packets with the record separator \x1e, binary always base64.
 */
import { isBinaryData, decodeBase64, toBuffer } from './binary';
import { type Decoded, type EnginePacket, decodedError, decodedOk, packetTypeFromDigit, packetTypeNumber, preview } from './packet';

export const PAYLOAD_SEPARATOR = '\x1e';

export function encodePacket(packet: EnginePacket, supportsBinary: boolean): string | Buffer {
  const { data } = packet;
  if (isBinaryData(data)) {
    if (packet.type !== 'message') {
      throw new TypeError(`Engine.IO v4 carries binary data only in message packets, not ${packet.type}`);
    }
    const buffer = toBuffer(data);
    return supportsBinary ? buffer : `b${buffer.toString('base64')}`;
  }
  return `${packetTypeNumber(packet.type)}${data ?? ''}`;
}

export function decodePacket(frame: string | Buffer): Decoded<EnginePacket> {
  if (typeof frame !== 'string') {
    if (!isBinaryData(frame)) return decodedError('frame is neither text nor binary');
    return decodedOk({ type: 'message', data: toBuffer(frame) });
  }
  if (frame.length === 0) return decodedError('empty packet');
  if (frame[0] === 'b') {
    const data = decodeBase64(frame.slice(1));
    if (!data) return decodedError(`invalid base64 in binary packet ${preview(frame)}`);
    return decodedOk({ type: 'message', data });
  }
  const type = packetTypeFromDigit(frame[0]);
  if (!type) return decodedError(`unknown packet type ${preview(frame[0])}`);
  return decodedOk(frame.length > 1 ? { type, data: frame.slice(1) } : { type });
}

/**
 * Encodes a polling response body. A text packet whose data contains \x1e
 * cannot be framed this way (the reference parser has the same limit);
 * Socket.IO packets never do, since JSON escapes control characters.
 */
export function encodePayload(packets: EnginePacket[]): string {
  return packets.map((packet) => encodePacket(packet, false)).join(PAYLOAD_SEPARATOR);
}

export function decodePayload(body: string): Decoded<EnginePacket[]> {
  if (typeof body !== 'string') return decodedError('a v4 payload must be text');
  if (body.length === 0) return decodedError('empty payload');
  const packets: EnginePacket[] = [];
  const parts = body.split(PAYLOAD_SEPARATOR);
  for (let i = 0; i < parts.length; i++) {
    const decoded = decodePacket(parts[i]);
    if (!decoded.ok) return decodedError(`packet ${i} of payload: ${decoded.error}`);
    packets.push(decoded.value);
  }
  return decodedOk(packets);
}
