/**
 * The seam between the Socket.IO layer and the packet format: the server
 * encodes and decodes through a PacketCodec, ours by default or one wrapping
 * a user's socket.io-parser-shaped module (the `parser` server option).
 */
import { DEFAULT_MAX_ATTACHMENTS, PacketDecoder } from './decoder';
import { encodePacket, type EncodeOptions } from './encoder';
import type { Packet, SocketIOProtocol } from './packet';
import type { DecodedPacket } from './parse-failure';

export interface PacketCodecDecoder {
  add(chunk: string | Buffer): DecodedPacket;
  destroy(): void;
}

export interface PacketCodec {
  encode(packet: Packet, options?: EncodeOptions): Array<string | Buffer>;
  createDecoder(protocol: SocketIOProtocol): PacketCodecDecoder;
}

export interface CodecOptions {
  /** Most binary attachments one incoming packet may announce (default 10). */
  maxAttachments?: number;
}

export function createCodec(options: CodecOptions = {}): PacketCodec {
  const maxAttachments = options.maxAttachments ?? DEFAULT_MAX_ATTACHMENTS;
  return {
    encode: encodePacket,
    createDecoder: (protocol) => new PacketDecoder({ protocol, maxAttachments }),
  };
}

export const defaultCodec: PacketCodec = createCodec();
