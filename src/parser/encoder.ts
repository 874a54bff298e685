/**
 * Writes Socket.IO packets. An EVENT or ACK whose data holds binary anywhere
 * goes out as BINARY_EVENT/BINARY_ACK: the text with numbered placeholders,
 * then one Buffer per attachment. The caller's data is never mutated.
 */
import { hasBinary, replaceBinaryWithPlaceholders } from './binary';
import { PacketType, isAckId, type Packet, type PacketTypeValue } from './packet';

export { hasBinary };

/** How one packet is written. */
export interface EncodeOptions {
  /** `false` (socket.io 2's `binary(false)`): written as JSON as is, Buffers as their toJSON, without looking for binary. */
  binary?: boolean;
}

/**
 * [text, ...attachments], each to be sent as one Engine.IO message. With
 * `options.binary === false` the data is not searched for binary and goes
 * out as JSON text. Throws a TypeError for a packet no decoder could read.
 */
export function encodePacket(packet: Packet, options?: EncodeOptions): Array<string | Buffer> {
  const { type } = packet;
  const isEvent = type === PacketType.EVENT || type === PacketType.BINARY_EVENT;
  const isAck = type === PacketType.ACK || type === PacketType.BINARY_ACK;
  if (!isEvent && !isAck) return [encodeText(packet, type, packet.data, 0)];
  try {
    if (options?.binary !== false && hasBinary(packet.data)) {
      const attachments: Buffer[] = [];
      const data = replaceBinaryWithPlaceholders(packet.data, attachments);
      const binaryType = isEvent ? PacketType.BINARY_EVENT : PacketType.BINARY_ACK;
      return [encodeText(packet, binaryType, data, attachments.length), ...attachments];
    }
  } catch (error) {
    if (error instanceof RangeError) throw new TypeError('cannot encode packet data: it is circular or nested too deeply');
    throw error;
  }
  return [encodeText(packet, isEvent ? PacketType.EVENT : PacketType.ACK, packet.data, 0)];
}

function encodeText(packet: Packet, type: PacketTypeValue, data: unknown, attachments: number): string {
  const { nsp, id, query } = packet;
  if (typeof nsp !== 'string' || !nsp.startsWith('/')) {
    throw new TypeError(`namespace must start with "/", got ${JSON.stringify(nsp)}`);
  }
  if (nsp.includes(',')) throw new TypeError(`namespace must not contain ",": ${JSON.stringify(nsp)}`);
  if (id !== undefined && !isAckId(id)) throw new TypeError(`ack id must be a safe non-negative integer, got ${id}`);
  let text = String(type);
  if (attachments > 0) text += `${attachments}-`;
  if (query !== undefined) text += `${nsp}?${query},`;
  else if (nsp !== '/') text += `${nsp},`;
  if (id !== undefined) text += id;
  if (data !== undefined && data !== null) {
    const json = JSON.stringify(data);
    if (json !== undefined) text += json;
  }
  return text;
}
