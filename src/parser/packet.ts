/**
 * The Socket.IO packet model, shared by protocol 4 (socket.io-client 2.x)
 * and protocol 5 (socket.io-client 3.x/4.x): both write packets as
 *
 *   <type>[<attachments>-][<nsp>,][<id>][<json>]
 */

export const PacketType = {
  CONNECT: 0,
  DISCONNECT: 1,
  EVENT: 2,
  ACK: 3,
  /** Called ERROR in protocol 4. */
  CONNECT_ERROR: 4,
  BINARY_EVENT: 5,
  BINARY_ACK: 6,
} as const;

export type PacketTypeValue = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export type SocketIOProtocol = 4 | 5;

export interface Packet {
  type: PacketTypeValue;
  /** Always starts with "/"; "/" is the main namespace. */
  nsp: string;
  data?: unknown;
  /** Acknowledgement id: a safe non-negative integer. */
  id?: number;
  /** Binary attachments that follow the text; only on encoded BINARY_EVENT/BINARY_ACK headers. */
  attachments?: number;
  /**
   * Protocol 4 only: the query a socket.io-client 2.x appends to a namespace
   * in its CONNECT packet ("0/admin?token=1," gives nsp "/admin" and query
   * "token=1", without the "?").
   */
  query?: string;
}

export const PACKET_TYPE_NAMES: Record<PacketTypeValue, string> = {
  0: 'CONNECT',
  1: 'DISCONNECT',
  2: 'EVENT',
  3: 'ACK',
  4: 'CONNECT_ERROR',
  5: 'BINARY_EVENT',
  6: 'BINARY_ACK',
};

export function isPacketType(value: unknown): value is PacketTypeValue {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 6;
}

export function isAckId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
