/**
 * What payload each packet type may carry, per protocol. Protocol 5 follows
 * socket.io-parser 4.x (its decoder and isPacketValid); protocol 4 follows the
 * looser socket.io-parser 3.x, except that an EVENT must carry its event name
 * in both (3.x let "2" through as an event with no name at all).
 */
import { PACKET_TYPE_NAMES, PacketType, type PacketTypeValue, type SocketIOProtocol } from './packet';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return Object.prototype.toString.call(value) === '[object Object]';
}

/** Why this payload is not valid for this packet type, or undefined when it is. Absent data is `undefined`. */
export function payloadError(type: PacketTypeValue, data: unknown, protocol: SocketIOProtocol): string | undefined {
  const name = PACKET_TYPE_NAMES[type];
  switch (type) {
    case PacketType.CONNECT:
      if (data === undefined) return undefined;
      if (protocol === 5 ? isPlainObject(data) : typeof data === 'object') return undefined;
      return `${name} payload must be an object`;
    case PacketType.DISCONNECT:
      return data === undefined ? undefined : `${name} carries no payload`;
    case PacketType.CONNECT_ERROR:
      if (protocol === 4 && (data === undefined || typeof data === 'string' || typeof data === 'object')) return undefined;
      if (protocol === 5 && (typeof data === 'string' || isPlainObject(data))) return undefined;
      return protocol === 5 ? `${name} payload must be a string or an object` : `ERROR payload must be a string or an object`;
    case PacketType.EVENT:
    case PacketType.BINARY_EVENT:
      return eventError(name, data);
    case PacketType.ACK:
    case PacketType.BINARY_ACK:
      if (Array.isArray(data) || (protocol === 4 && data === undefined)) return undefined;
      return `${name} payload must be an array`;
  }
}

function eventError(name: string, data: unknown): string | undefined {
  if (!Array.isArray(data) || data.length === 0) return `${name} payload must be a non-empty array`;
  const [event] = data;
  if (typeof event === 'number') return undefined;
  if (typeof event !== 'string') return 'event name must be a string or a number';
  return undefined;
}
