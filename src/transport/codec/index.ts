/** The Engine.IO codecs of both protocol generations; see docs/protocols.md. */
export type { Decoded, EnginePacket, EnginePacketType } from './packet';
export { ENGINE_PACKET_TYPES, decodedError, decodedOk } from './packet';
export * as v3 from './v3';
export * as v4 from './v4';
