/**
 * Adapters written for socket.io 2, plugged in unchanged: a subclass of
 * socket.io-adapter 1.x (socket.io-redis 5 is one) keeps its own
 * `rooms`/`sids` maps, encodes a broadcast once with `nsp.server.encoder`
 * and hands the encoded parts to `socket.packet(parts, { preEncoded: true,
 * volatile, compress })` of each socket in `nsp.connected`.
 *
 * iostate keeps room membership in its event log, so an adopted adapter's
 * joins and leaves are mirrored into the log as they succeed (`socket.rooms`,
 * the inspector and replay read it), and its broadcasts get the packet type
 * socket.io 2.5.1 gives them (BINARY_EVENT when the data holds binary), which
 * socket.io 2.5.1 nodes on the other end of socket.io-redis rely on.
 */
import { PacketType, type Packet } from '../parser/packet';
import { hasBinary, type PacketCodec } from '../parser';
import type { AdapterNamespace, BroadcastOptions, NamespaceAdapter } from './adapter-contract';
import { Adapter } from './memory-adapter';

/** socket.io-parser 3's Encoder, as socket.io-adapter 1.x calls it. */
export interface LegacyEncoder {
  encode(packet: Packet, callback: (parts: Array<string | Buffer>) => void): void;
}

/**
 * `server.encoder`: socket.io-parser 3's contract on the server's codec. As
 * that encoder did, an EVENT goes out as JSON (a Buffer in it as
 * `{ type: 'Buffer', data }`) and only a BINARY_EVENT carries attachments.
 */
export function legacyEncoder(codec: PacketCodec): LegacyEncoder {
  return {
    encode(packet, callback) {
      callback(codec.encode(packet, packet.type === PacketType.EVENT ? AS_JSON : undefined));
    },
  };
}

const AS_JSON = Object.freeze({ binary: false });

/** The adapter a namespace uses: iostate's own as they are, a socket.io 2 one adopted. */
export function adoptAdapter(adapter: NamespaceAdapter, nsp: AdapterNamespace): NamespaceAdapter {
  if (adapter instanceof Adapter) return adapter;
  mirrorMembership(adapter, nsp);
  typeBroadcasts(adapter);
  return adapter;
}

function mirrorMembership(adapter: NamespaceAdapter, nsp: AdapterNamespace): void {
  const { log } = nsp.server;
  const roomsOf = (id: string) => log.projections.rooms.roomsOf(nsp.name, id);
  const addAll = adapter.addAll;
  const del = adapter.del;
  const delAll = adapter.delAll;
  adapter.addAll = function (id, rooms, fn) {
    addAll.call(this, id, rooms, (err) => {
      // A socket that left meanwhile stays out of every room.
      if (!err && nsp.connected[id]) {
        for (const room of rooms) {
          if (!roomsOf(id)?.has(room)) log.record({ type: 'room.join', socketId: id, nsp: nsp.name, room });
        }
      }
      fn?.(err);
    });
  };
  adapter.del = function (id, room, fn) {
    del.call(this, id, room, (err) => {
      if (!err && roomsOf(id)?.has(room)) log.record({ type: 'room.leave', socketId: id, nsp: nsp.name, room });
      fn?.(err);
    });
  };
  // socket.io 2.5.1 forgets a socket's rooms at once on leaveAll (no callback): so does the log.
  adapter.delAll = function (id, fn) {
    for (const room of [...(roomsOf(id) ?? [])]) log.record({ type: 'room.leave', socketId: id, nsp: nsp.name, room });
    delAll.call(this, id, fn);
  };
}

/**
 * `packet` typed as socket.io 2.5.1 types a broadcast: BINARY_EVENT when its
 * data holds binary (or `binary(true)`), EVENT otherwise (or `binary(false)`).
 */
export function typedAsV2(packet: Packet, flags: BroadcastOptions['flags']): Packet {
  if (packet.type !== PacketType.EVENT && packet.type !== PacketType.BINARY_EVENT) return packet;
  const binary = flags?.binary ?? hasBinary(packet.data);
  return { type: binary ? PacketType.BINARY_EVENT : PacketType.EVENT, nsp: packet.nsp, data: packet.data };
}

function typeBroadcasts(adapter: NamespaceAdapter): void {
  const broadcast = adapter.broadcast as (this: NamespaceAdapter, packet: Packet, opts: BroadcastOptions, ...rest: unknown[]) => void;
  // Other arguments pass through: socket.io-redis 5 marks a broadcast from another node with a third one.
  adapter.broadcast = function (this: NamespaceAdapter, packet: Packet, opts: BroadcastOptions, ...rest: unknown[]) {
    broadcast.call(this, typedAsV2(packet, opts.flags), opts, ...rest);
  } as NamespaceAdapter['broadcast'];
}
