/**
 * The packets an engine socket's `packetCreate` and `flush` events carry,
 * shaped as engine.io 3 gives them: `{ type, data, options: { compress } }`,
 * one per Engine.IO packet, so a broadcast (one PreparedMessage in the write
 * buffer) shows as one packet per part. Built only for listeners: the write
 * buffer itself keeps its lean shape.
 */
import type { EnginePacketType } from './codec/packet';
import type { OutgoingPacket } from './transport';

export interface PacketEvent {
  type: EnginePacketType;
  /** Absent on packets without data (a pong, a ping), as in engine.io. */
  data?: string | Buffer;
  options: { compress: boolean };
}

/** The event packets of one write-buffer item. */
export function packetEvents(packet: OutgoingPacket): PacketEvent[] {
  const options = { compress: packet.compress !== false };
  if (packet.prepared) return packet.prepared.parts.map((data) => ({ type: 'message', data, options }));
  const event: PacketEvent = { type: packet.type, options };
  if (packet.data !== undefined && packet.data !== '') event.data = packet.data;
  return [event];
}

/** The event packets of a batch, in order. */
export function packetEventList(packets: OutgoingPacket[]): PacketEvent[] {
  const events: PacketEvent[] = [];
  for (const packet of packets) for (const event of packetEvents(packet)) events.push(event);
  return events;
}
