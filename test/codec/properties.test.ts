/**
 * Round trips for the Engine.IO codecs: encoding then decoding is the
 * identity, with ours and the reference parser on either side.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as v3 from '../../src/transport/codec/v3';
import * as v4 from '../../src/transport/codec/v4';
import { v3Packet, v4Packet } from './arbitraries';
import {
  referenceV3DecodePacket,
  referenceV3DecodePayload,
  referenceV3EncodePacket,
  referenceV3EncodePayload,
  referenceV4DecodePacket,
  referenceV4DecodePayload,
  referenceV4EncodePacket,
  referenceV4EncodePayload,
} from './oracles';

const runs = { numRuns: 500 };

describe('Engine.IO v4 round trips', () => {
  it('packet: decode(encode(p)) = p, text and binary transports', () => {
    fc.assert(
      fc.property(v4Packet(false), fc.boolean(), (packet, supportsBinary) => {
        const frame = v4.encodePacket(packet, supportsBinary);
        expect(v4.decodePacket(frame)).toEqual({ ok: true, value: packet });
        expect(referenceV4DecodePacket(frame)).toEqual(packet);
        expect(v4.decodePacket(referenceV4EncodePacket(packet, supportsBinary))).toEqual({ ok: true, value: packet });
      }),
      runs,
    );
  });

  it('payload: decode(encode(ps)) = ps, and the reference agrees both ways', () => {
    fc.assert(
      fc.property(fc.array(v4Packet(true), { minLength: 1, maxLength: 8 }), (packets) => {
        const body = v4.encodePayload(packets);
        expect(body).toBe(referenceV4EncodePayload(packets));
        expect(v4.decodePayload(body)).toEqual({ ok: true, value: packets });
        expect(referenceV4DecodePayload(body)).toEqual(packets);
      }),
      runs,
    );
  });
});

describe('Engine.IO v3 round trips', () => {
  it('packet: decode(encode(p)) = p, text and binary transports', () => {
    fc.assert(
      fc.property(v3Packet(false), fc.boolean(), (packet, supportsBinary) => {
        const frame = v3.encodePacket(packet, supportsBinary);
        expect(frame).toEqual(referenceV3EncodePacket(packet, supportsBinary));
        expect(v3.decodePacket(frame)).toEqual({ ok: true, value: packet });
        if (typeof frame === 'string') expect(referenceV3DecodePacket(frame)).toEqual(packet);
      }),
      runs,
    );
  });

  it('text payload: decode(encode(ps)) = ps, byte-identical to the reference', () => {
    fc.assert(
      fc.property(fc.array(v3Packet(false), { maxLength: 8 }), (packets) => {
        const body = v3.encodePayload(packets, false);
        expect(body).toBe(referenceV3EncodePayload(packets, false));
        expect(v3.decodePayload(body)).toEqual({ ok: true, value: packets });
        expect(referenceV3DecodePayload(body)).toEqual(packets);
      }),
      runs,
    );
  });

  it('binary payload: decode(encode(ps)) = ps, byte-identical to the reference', () => {
    fc.assert(
      fc.property(fc.array(v3Packet(true), { minLength: 1, maxLength: 8 }), (packets) => {
        const body = v3.encodePayload(packets, true);
        expect(body).toEqual(referenceV3EncodePayload(packets, true));
        expect(v3.decodePayload(body)).toEqual({ ok: true, value: packets });
        expect(referenceV3DecodePayload(body)).toEqual(packets);
      }),
      runs,
    );
  });
});
