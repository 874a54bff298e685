/**
 * Synchronous wrappers around the reference engine.io-parser packages, used
 * as interop oracles: whatever we encode must decode with theirs and the
 * other way round.
 */
import * as referenceV4 from 'engine.io-parser';
import referenceV3 from 'engine.io-parser-v2';
import type { EnginePacket } from '../../src/transport/codec/packet';

type ReferencePacket = { type: string; data?: unknown };

export function referenceV3EncodePacket(packet: EnginePacket, supportsBinary: boolean): string | Buffer {
  let out: string | Buffer | undefined;
  referenceV3.encodePacket(packet, supportsBinary, false, (encoded: string | Buffer) => (out = encoded));
  return out!;
}

export function referenceV3EncodePayload(packets: EnginePacket[], supportsBinary: boolean): string | Buffer {
  let out: string | Buffer | undefined;
  referenceV3.encodePayload(packets, supportsBinary, (encoded: string | Buffer) => (out = encoded));
  return out!;
}

/** The packets the reference decodes, or 'error' when it reports a parser error. */
export function referenceV3DecodePayload(body: string | Buffer): ReferencePacket[] | 'error' {
  const packets: ReferencePacket[] = [];
  let failed = false;
  referenceV3.decodePayload(body, (packet: ReferencePacket) => {
    if (packet.type === 'error') failed = true;
    else packets.push(packet);
  });
  return failed ? 'error' : packets;
}

export function referenceV3DecodePacket(frame: string | Buffer): ReferencePacket {
  return referenceV3.decodePacket(frame);
}

export function referenceV4EncodePacket(packet: EnginePacket, supportsBinary: boolean): string | Buffer {
  let out: string | Buffer | undefined;
  referenceV4.encodePacket(packet as referenceV4.Packet, supportsBinary, (encoded) => (out = encoded as string | Buffer));
  return out!;
}

export function referenceV4EncodePayload(packets: EnginePacket[]): string {
  let out: string | undefined;
  referenceV4.encodePayload(packets as referenceV4.Packet[], (encoded) => (out = encoded));
  return out!;
}

export function referenceV4DecodePayload(body: string): ReferencePacket[] {
  return referenceV4.decodePayload(body, 'nodebuffer');
}

export function referenceV4DecodePacket(frame: string | Buffer): ReferencePacket {
  return referenceV4.decodePacket(frame, 'nodebuffer');
}
