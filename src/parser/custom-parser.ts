/**
 * Wraps a user-supplied socket.io-parser-shaped module ({ Encoder, Decoder })
 * as a PacketCodec. Both generations are understood:
 *
 * - socket.io-parser 3.x style: `encode(packet, callback)` hands the array to
 *   the callback and expects BINARY_EVENT/BINARY_ACK to be set by the caller
 *   when the data holds binary (as socket.io 2.x did);
 * - 4.x style: `encode(packet)` returns the array and detects binary itself.
 *
 * The style is told by the arity of `encode`. Decoders emit 'decoded'; a
 * throw or an 'error' event becomes { ok: false }. Decoded packets are
 * normalised to the shape our decoder returns and checked by the same rules.
 */
import { decodedError, decodedOk, type Decoded } from '../transport/codec/packet';
import { parseFailure, WORDING, type DecodedPacket, type ParseFailure } from './parse-failure';
import { hasBinary } from './binary';
import { PacketType, isAckId, isPacketType, type Packet, type SocketIOProtocol } from './packet';
import { payloadError } from './payload-rules';
import type { PacketCodec, PacketCodecDecoder } from './codec';
import type { EncodeOptions } from './encoder';

export interface SocketIOParserModule {
  Encoder: new () => { encode(packet: any, callback?: (encoded: any[]) => void): any[] | void };
  Decoder: new () => {
    add(chunk: any): void;
    destroy?(): void;
    on(event: string, listener: (...args: any[]) => void): unknown;
    removeAllListeners?(event?: string): unknown;
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function codecFromCustomParser(parser: SocketIOParserModule): PacketCodec {
  const encoder = new parser.Encoder();
  const callbackStyle = encoder.encode.length >= 2;
  return {
    encode(packet: Packet, options?: EncodeOptions): Array<string | Buffer> {
      const outgoing = { ...packet, type: outgoingType(packet, callbackStyle && options?.binary !== false) };
      let encoded: unknown;
      const returned = encoder.encode(outgoing, (result) => (encoded = result));
      encoded ??= returned;
      if (!Array.isArray(encoded)) throw new TypeError('the custom parser did not produce an array of encoded messages synchronously');
      return encoded as Array<string | Buffer>;
    },
    createDecoder(protocol: SocketIOProtocol): PacketCodecDecoder {
      return wrapDecoder(new parser.Decoder(), protocol);
    },
  };
}

/** The type to hand the parser: a 3.x-style one is told BINARY_* when the data holds binary (`detectBinary`), as socket.io 2.x did. */
function outgoingType(packet: Packet, detectBinary: boolean): Packet['type'] {
  const { type } = packet;
  const isEvent = type === PacketType.EVENT || type === PacketType.BINARY_EVENT;
  const isAck = type === PacketType.ACK || type === PacketType.BINARY_ACK;
  if (!isEvent && !isAck) return type;
  if (detectBinary && hasBinary(packet.data)) return isEvent ? PacketType.BINARY_EVENT : PacketType.BINARY_ACK;
  return isEvent ? PacketType.EVENT : PacketType.ACK;
}

function wrapDecoder(decoder: InstanceType<SocketIOParserModule['Decoder']>, protocol: SocketIOProtocol): PacketCodecDecoder {
  const decodedPackets: unknown[] = [];
  let emittedError: unknown;
  decoder.on('decoded', (packet: unknown) => decodedPackets.push(packet));
  decoder.on('error', (error: unknown) => (emittedError = error ?? 'error'));
  return {
    add(chunk: string | Buffer): DecodedPacket {
      decodedPackets.length = 0;
      emittedError = undefined;
      try {
        decoder.add(chunk);
      } catch (error) {
        return decodedError(message(error));
      }
      if (emittedError !== undefined) return decodedError(message(emittedError));
      if (decodedPackets.length > 1) return parseFailure(WORDING.invalidPayload, 'the custom parser decoded several packets from one message');
      return decodedPackets.length === 0 ? decodedOk(undefined) : normalise(decodedPackets[0], protocol);
    },
    destroy(): void {
      decoder.destroy?.();
      decoder.removeAllListeners?.();
    },
  };
}

/** Brings a packet from a custom parser to the shape our own decoder returns, and checks it the same way. */
function normalise(raw: unknown, protocol: SocketIOProtocol): Decoded<Packet> | ParseFailure {
  if (!raw || typeof raw !== 'object') return parseFailure(WORDING.invalidPayload, 'the custom parser decoded something that is not a packet');
  const { type, nsp = '/', data, id } = raw as { type?: unknown; nsp?: unknown; data?: unknown; id?: unknown };
  if (!isPacketType(type)) return parseFailure(WORDING.unknownType, `unknown packet type ${JSON.stringify(type)}`);
  // socket.io-parser 3.x reports an unknown type by "decoding" an ERROR packet.
  if (type === PacketType.CONNECT_ERROR && typeof data === 'string' && data.startsWith('parser error')) {
    return decodedError(data);
  }
  if (typeof nsp !== 'string' || !nsp.startsWith('/')) return parseFailure(WORDING.invalidPayload, `namespace must start with "/", got ${JSON.stringify(nsp)}`);
  if (id !== undefined && id !== null && !isAckId(id))
    return parseFailure(WORDING.invalidPayload, `ack id ${JSON.stringify(id)} is not a safe non-negative integer`);
  const ruleError = payloadError(type, data, protocol);
  if (ruleError) return parseFailure(WORDING.invalidPayload, ruleError);
  const packet: Packet = {
    type: type === PacketType.BINARY_EVENT ? PacketType.EVENT : type === PacketType.BINARY_ACK ? PacketType.ACK : type,
    nsp,
  };
  if (data !== undefined) packet.data = data;
  if (isAckId(id)) packet.id = id;
  const question = nsp.indexOf('?');
  if (protocol === 4 && type === PacketType.CONNECT && question >= 0) {
    packet.nsp = nsp.slice(0, question);
    packet.query = nsp.slice(question + 1);
  }
  return decodedOk(packet);
}
