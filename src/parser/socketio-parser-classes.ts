/**
 * Our codec in the shape of the socket.io-parser module ({ Encoder, Decoder }),
 * so it can be passed wherever a socket.io-parser is expected, e.g. the
 * server's `parser` option: `new Encoder().encode(packet)` returns the
 * encoded array (4.x style); a Decoder emits 'decoded' and throws on bad input.
 */
import { EventEmitter } from 'node:events';
import { PacketDecoder, type PacketDecoderOptions } from './decoder';
import { encodePacket } from './encoder';
import type { Packet } from './packet';

export class Encoder {
  encode(packet: Packet): Array<string | Buffer> {
    return encodePacket(packet);
  }
}

export class Decoder extends EventEmitter {
  private readonly decoder: PacketDecoder;

  /** Protocol 5 (socket.io-client 3.x/4.x) unless told otherwise. */
  constructor(options: Partial<PacketDecoderOptions> = {}) {
    super();
    this.decoder = new PacketDecoder({ protocol: 5, ...options });
  }

  add(chunk: string | Buffer | ArrayBuffer | ArrayBufferView): void {
    const decoded = this.decoder.add(chunk);
    if (!decoded.ok) throw new Error(decoded.error);
    if (decoded.value) this.emit('decoded', decoded.value);
  }

  destroy(): void {
    this.decoder.destroy();
  }
}
