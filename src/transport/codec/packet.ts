/**
 * The Engine.IO packet model shared by both protocol generations (v3 and v4).
 * Only the framing differs between them; the packet types and their numbers
 * are the same.
 */

export type EnginePacketType = 'open' | 'close' | 'ping' | 'pong' | 'message' | 'upgrade' | 'noop';

export interface EnginePacket {
  type: EnginePacketType;
  data?: string | Buffer;
}

/** Result of decoding untrusted input: decoders never throw. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

export function decodedOk<T>(value: T): Decoded<T> {
  return { ok: true, value };
}

export function decodedError<T = never>(error: string): Decoded<T> {
  return { ok: false, error };
}

export const ENGINE_PACKET_TYPES: readonly EnginePacketType[] = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'];

export function packetTypeNumber(type: EnginePacketType): number {
  const n = ENGINE_PACKET_TYPES.indexOf(type);
  if (n < 0) throw new TypeError(`unknown Engine.IO packet type ${JSON.stringify(type)}`);
  return n;
}

/** The packet type written as one ASCII digit ('0'..'6'), or undefined. */
export function packetTypeFromDigit(char: string): EnginePacketType | undefined {
  const code = char.charCodeAt(0);
  return char.length === 1 && code >= 48 && code <= 54 ? ENGINE_PACKET_TYPES[code - 48] : undefined;
}

/** The packet type written as one byte (0..6), as in v3 binary frames. */
export function packetTypeFromByte(byte: number | undefined): EnginePacketType | undefined {
  return byte !== undefined && byte >= 0 && byte <= 6 ? ENGINE_PACKET_TYPES[byte] : undefined;
}

/** Shows the start of a bad input in an error message without echoing megabytes. */
export function preview(text: string): string {
  return JSON.stringify(text.length > 32 ? `${text.slice(0, 32)}…` : text);
}
