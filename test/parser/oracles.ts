/**
 * Synchronous wrappers around the reference socket.io-parser packages
 * (4.x for protocol 5, 3.x for protocol 4), used as interop oracles.
 */
import * as reference5 from 'socket.io-parser';
import reference4 from 'socket.io-parser-v3';
import type { Packet } from '../../src/parser/packet';

export type ReferencePacket = Record<string, unknown>;

export function referenceEncode(protocol: 4 | 5, packet: Packet): Array<string | Buffer> {
  if (protocol === 5) return new reference5.Encoder().encode(packet) as Array<string | Buffer>;
  let out: Array<string | Buffer> | undefined;
  new reference4.Encoder().encode(packet, (encoded: Array<string | Buffer>) => (out = encoded));
  return out!;
}

/** The packet the reference decodes from these messages, or 'error' if it throws or emits an error. */
export function referenceDecode(protocol: 4 | 5, messages: Array<string | Buffer>): ReferencePacket | 'error' | undefined {
  const decoder = protocol === 5 ? new reference5.Decoder() : new reference4.Decoder();
  let decoded: ReferencePacket | undefined;
  let failed = false;
  decoder.on('decoded', (packet: ReferencePacket) => (decoded = packet));
  decoder.on('error', () => (failed = true));
  try {
    for (const message of messages) decoder.add(message);
  } catch {
    return 'error';
  }
  return failed ? 'error' : decoded;
}
