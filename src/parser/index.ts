/**
 * The Socket.IO packet format, both protocol generations: the public face
 * used by the Socket.IO layer and by the server's `parser` option.
 */
import { defaultCodec, type PacketCodec } from './codec';
import { codecFromCustomParser, type SocketIOParserModule } from './custom-parser';
import { Decoder, Encoder } from './socketio-parser-classes';

export type { Decoded } from '../transport/codec/packet';
export { PacketType, type Packet, type PacketTypeValue, type SocketIOProtocol } from './packet';
export { encodePacket, hasBinary, type EncodeOptions } from './encoder';
export { PacketDecoder, type PacketDecoderOptions } from './decoder';
export { createCodec, defaultCodec, type CodecOptions, type PacketCodec, type PacketCodecDecoder } from './codec';
export { Encoder, Decoder };
export type { SocketIOParserModule };

/**
 * A PacketCodec from a socket.io-parser-shaped module: ours as is, anyone
 * else's wrapped (socket.io-parser 3.x or 4.x style, see custom-parser.ts).
 */
export function codecFromParser(parser: { Encoder: any; Decoder: any }): PacketCodec {
  if (parser.Encoder === Encoder && parser.Decoder === Decoder) return defaultCodec;
  return codecFromCustomParser(parser as SocketIOParserModule);
}
