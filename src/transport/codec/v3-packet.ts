/**
 * Engine.IO protocol 3 packet framing (engine.io-parser 2.x): a text packet
 * is its type digit followed by its data ("4hello"); any packet may carry
 * binary, in a WebSocket binary frame as [type byte, ...data], or in text as
 * "b" + type digit + base64 ("b4AQID").
 */
import { isBinaryData, decodeBase64, toBuffer } from './binary';
import { type Decoded, type EnginePacket, decodedError, decodedOk, packetTypeFromByte, packetTypeFromDigit, packetTypeNumber, preview } from './packet';

export function encodePacket(packet: EnginePacket, supportsBinary: boolean): string | Buffer {
  const type = packetTypeNumber(packet.type);
  const { data } = packet;
  if (isBinaryData(data)) {
    const buffer = toBuffer(data);
    return supportsBinary ? Buffer.concat([Buffer.of(type), buffer]) : `b${type}${buffer.toString('base64')}`;
  }
  return `${type}${data ?? ''}`;
}

export function decodePacket(frame: string | Buffer): Decoded<EnginePacket> {
  if (typeof frame !== 'string') {
    if (!isBinaryData(frame)) return decodedError('frame is neither text nor binary');
    const buffer = toBuffer(frame);
    if (buffer.length === 0) return decodedError('empty binary packet');
    const type = packetTypeFromByte(buffer[0]);
    if (!type) return decodedError(`unknown packet type byte ${buffer[0]}`);
    return decodedOk({ type, data: buffer.subarray(1) });
  }
  if (frame.length === 0) return decodedError('empty packet');
  if (frame[0] === 'b') {
    const type = packetTypeFromDigit(frame.charAt(1));
    if (!type) return decodedError(`unknown packet type in base64 packet ${preview(frame)}`);
    const data = decodeBase64(frame.slice(2));
    if (!data) return decodedError(`invalid base64 in binary packet ${preview(frame)}`);
    return decodedOk({ type, data });
  }
  const type = packetTypeFromDigit(frame[0]);
  if (!type) return decodedError(`unknown packet type ${preview(frame[0])}`);
  return decodedOk(frame.length > 1 ? { type, data: frame.slice(1) } : { type });
}
