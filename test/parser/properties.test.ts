/**
 * Round trips for the Socket.IO parser, both protocols: decode(encode(p)) = p
 * for packets with arbitrary JSON and binary nested anywhere, and the
 * reference socket.io-parser (4.x for protocol 5, 3.x for protocol 4) reads
 * what we write and writes what we read.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PacketDecoder } from '../../src/parser/decoder';
import { encodePacket, hasBinary } from '../../src/parser/encoder';
import { PacketType, type Packet } from '../../src/parser/packet';
import { validPacket } from './arbitraries';
import { referenceDecode, referenceEncode } from './oracles';

const runs = { numRuns: 500 };

function decode(protocol: 4 | 5, messages: Array<string | Buffer>) {
  const decoder = new PacketDecoder({ protocol });
  const results = messages.map((message) => decoder.add(message));
  expect(results.slice(0, -1)).toEqual(results.slice(0, -1).map(() => ({ ok: true, value: undefined })));
  return results.at(-1);
}

/** What socket.io-parser 3.x hands back: BINARY_* types kept, the query still in the namespace. */
function asProtocol4Reference(packet: Packet): Record<string, unknown> {
  const { query, ...rest } = packet;
  const binary = hasBinary(packet.data);
  return {
    ...rest,
    nsp: query === undefined ? packet.nsp : `${packet.nsp}?${query}`,
    type: binary ? (packet.type === PacketType.EVENT ? PacketType.BINARY_EVENT : PacketType.BINARY_ACK) : packet.type,
  };
}

describe('Socket.IO round trips', () => {
  it('protocol 5: decode(encode(p)) = p; socket.io-parser 4.x agrees both ways', () => {
    fc.assert(
      fc.property(validPacket(), (packet) => {
        const encoded = encodePacket(packet);
        expect(decode(5, encoded)).toEqual({ ok: true, value: packet });
        expect(referenceDecode(5, encoded)).toEqual(packet);
        expect(decode(5, referenceEncode(5, { ...packet }))).toEqual({ ok: true, value: packet });
      }),
      runs,
    );
  });

  it('protocol 4: decode(encode(p)) = p, CONNECT queries included; socket.io-parser 3.x agrees both ways', () => {
    fc.assert(
      fc.property(validPacket(true), (packet) => {
        const encoded = encodePacket(packet);
        expect(decode(4, encoded)).toEqual({ ok: true, value: packet });
        const reference = asProtocol4Reference(packet);
        expect(referenceDecode(4, encoded)).toMatchObject(reference);
        expect(decode(4, referenceEncode(4, reference as unknown as Packet))).toEqual({ ok: true, value: packet });
      }),
      runs,
    );
  });

  it('encoding never mutates the packet or its data', () => {
    fc.assert(
      fc.property(validPacket(true), (packet) => {
        const before = encodePacket(packet);
        expect(encodePacket(packet)).toEqual(before);
        expect(decode(4, before)).toEqual({ ok: true, value: packet });
      }),
      runs,
    );
  });
});
