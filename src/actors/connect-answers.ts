/**
 * A namespace's answer to a client's CONNECT, in each protocol: protocol 5
 * (3.x/4.x clients) gets the socket id in CONNECT and `{ message, data }` in
 * CONNECT_ERROR; protocol 4 (2.x clients) an empty CONNECT and, for a
 * refusal, an ERROR packet (CONNECT_ERROR's number) carrying
 * `data || message`, as socket.io 2.5.1.
 */
import { PacketType, type Packet } from '../parser/packet';

/** `pid`: under connectionStateRecovery, the private id a 4.x client recovers the socket with (socket.io 4.6). */
export function connectPacket(protocol: 4 | 5, nsp: string, socketId: string, pid?: string): Packet {
  if (protocol === 4) return { type: PacketType.CONNECT, nsp };
  return { type: PacketType.CONNECT, nsp, data: pid === undefined ? { sid: socketId } : { sid: socketId, pid } };
}

export function connectErrorPacket(protocol: 4 | 5, nsp: string, message: string, data?: unknown): Packet {
  if (protocol === 4) return { type: PacketType.CONNECT_ERROR, nsp, data: data || message };
  return { type: PacketType.CONNECT_ERROR, nsp, data: data === undefined ? { message } : { message, data } };
}
