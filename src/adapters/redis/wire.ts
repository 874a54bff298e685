/**
 * The wire format of @socket.io/redis-adapter 8.x's classic pub/sub, so that
 * iostate nodes and socket.io 4 nodes on one Redis understand each other:
 *
 *   broadcasts  `<key>#<nsp>#` (or `<key>#<nsp>#<room>#` when sent to exactly
 *               one room), msgpack of [senderUid, packet, { rooms, except, flags }]
 *   requests    `<key>-request#<nsp>#`, JSON (or msgpack), `{ uid, requestId?, type, ... }`
 *   responses   `<key>-response#<nsp>#` (and `<key>-response#<nsp>#<uid>#` for a
 *               requester that asks for its own channel), JSON `{ requestId, ... }`
 *
 * Our responses add `node` (the iostate node name); socket.io ignores it and
 * we use it to name the nodes that did not answer.
 */
import * as msgpack from 'notepack.io';
import type { BroadcastFlags } from '../adapter-contract';
import type { Packet } from '../../parser/packet';

export const RequestType = {
  SOCKETS: 0,
  ALL_ROOMS: 1,
  REMOTE_JOIN: 2,
  REMOTE_LEAVE: 3,
  REMOTE_DISCONNECT: 4,
  REMOTE_FETCH: 5,
  SERVER_SIDE_EMIT: 6,
  BROADCAST: 7,
  BROADCAST_CLIENT_COUNT: 8,
  BROADCAST_ACK: 9,
} as const;

export type RequestTypeValue = (typeof RequestType)[keyof typeof RequestType];

export interface Channels {
  /** Prefix of every broadcast channel of the namespace (subscribed with a trailing `*`). */
  broadcast: string;
  request: string;
  response: string;
  /** This adapter's own response channel. */
  ownResponse: string;
}

export function channelsFor(key: string, nsp: string, uid: string): Channels {
  const response = `${key}-response#${nsp}#`;
  return {
    broadcast: `${key}#${nsp}#`,
    request: `${key}-request#${nsp}#`,
    response,
    ownResponse: `${response}${uid}#`,
  };
}

/** The channel a broadcast goes to: the room's own channel when it targets exactly one. */
export function broadcastChannel(channels: Channels, rooms: readonly string[]): string {
  return rooms.length === 1 ? `${channels.broadcast}${rooms[0]}#` : channels.broadcast;
}

export interface WireBroadcastOptions {
  rooms: readonly string[];
  except: readonly string[];
  flags?: Readonly<BroadcastFlags> & { timeout?: number };
  /** iostate's cluster id of the broadcast, for recovery (socket.io 4 nodes ignore it). */
  id?: string;
  /** The 2.x face's broadcasting socket, also in `except`: iostate nodes leave out that socket alone (BroadcastOptions.sender); others ignore it. */
  sender?: string;
}

export interface WireBroadcast {
  uid: string;
  packet: Packet;
  opts: WireBroadcastOptions;
}

export function encodeBroadcast(uid: string, packet: Packet, opts: WireBroadcastOptions): Buffer {
  const wirePacket: Record<string, unknown> = { type: packet.type, data: packet.data, nsp: packet.nsp };
  if (packet.id !== undefined) wirePacket.id = packet.id;
  const wireOpts: Record<string, unknown> = { rooms: opts.rooms, except: opts.except };
  if (opts.flags) wireOpts.flags = definedOnly(opts.flags);
  if (opts.id !== undefined) wireOpts.id = opts.id;
  if (opts.sender !== undefined) wireOpts.sender = opts.sender;
  return msgpack.encode([uid, wirePacket, wireOpts]);
}

/** Decodes a broadcast message; undefined for anything malformed (never throws). */
export function decodeBroadcast(message: Buffer): WireBroadcast | undefined {
  let decoded: unknown;
  try {
    decoded = msgpack.decode(message);
  } catch {
    return undefined;
  }
  if (!Array.isArray(decoded) || decoded.length < 3) return undefined;
  const [uid, packet, opts] = decoded as [unknown, unknown, unknown];
  if (typeof uid !== 'string' || !isRecord(packet) || !isRecord(opts)) return undefined;
  if (typeof packet.type !== 'number') return undefined;
  return {
    uid,
    packet: { type: packet.type as Packet['type'], nsp: typeof packet.nsp === 'string' ? packet.nsp : '/', data: packet.data },
    opts: {
      rooms: stringList(opts.rooms),
      except: stringList(opts.except),
      flags: isRecord(opts.flags) ? (opts.flags as WireBroadcastOptions['flags']) : {},
      ...(typeof opts.id === 'string' ? { id: opts.id } : {}),
      ...(typeof opts.sender === 'string' ? { sender: opts.sender } : {}),
    },
  };
}

/** A request or response body: JSON when it starts with "{", msgpack otherwise. Undefined when malformed. */
export function decodeMessage(message: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = message[0] === 0x7b ? JSON.parse(message.toString()) : msgpack.decode(message);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function encodeJson(body: Record<string, unknown>): string {
  return JSON.stringify(body);
}

export function encodeMsgpack(body: Record<string, unknown>): Buffer {
  return msgpack.encode(body);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** Room names from the wire: socket.io may send numbers; anything else is dropped. */
export function stringList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((item) => typeof item === 'string' || typeof item === 'number').map(String);
}

function definedOnly(flags: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined));
}
