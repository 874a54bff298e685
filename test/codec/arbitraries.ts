/** fast-check generators of Engine.IO packets. */
import fc from 'fast-check';
import { ENGINE_PACKET_TYPES, type EnginePacket } from '../../src/transport/codec/packet';

/** Any UTF-16 string, lone surrogates included. */
export const anyUtf16 = (constraints: { minLength?: number; maxLength?: number } = {}) =>
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), ...constraints });

export const packetType = fc.constantFrom(...ENGINE_PACKET_TYPES);

export const bytes = fc.uint8Array({ maxLength: 64 }).map((array) => Buffer.from(array));

/**
 * A text packet. Absent data and empty data are the same on the wire, so
 * data, when present, is non-empty.
 */
export function textPacket(text: fc.Arbitrary<string>): fc.Arbitrary<EnginePacket> {
  return fc.record({ type: packetType, data: text.filter((data) => data.length > 0) }, { requiredKeys: ['type'] });
}

/** Packets as v4 carries them: binary only in message packets; text free of the payload separator when for a payload. */
export function v4Packet(forPayload: boolean): fc.Arbitrary<EnginePacket> {
  const text = forPayload ? anyUtf16({ maxLength: 40 }).map((data) => data.replaceAll('\x1e', '')) : anyUtf16({ maxLength: 40 });
  return fc.oneof(
    textPacket(text),
    bytes.map((data): EnginePacket => ({ type: 'message', data })),
  );
}

/**
 * Packets as v3 carries them: binary in any packet. `wellFormed` keeps text
 * free of lone surrogates, which a binary payload's UTF-8 cannot carry.
 */
export function v3Packet(wellFormed: boolean): fc.Arbitrary<EnginePacket> {
  const text = wellFormed ? fc.string({ unit: 'binary', maxLength: 40 }) : anyUtf16({ maxLength: 40 });
  return fc.oneof(textPacket(text), fc.record({ type: packetType, data: bytes }));
}
