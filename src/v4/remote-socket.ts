/**
 * socket.io 4's RemoteSocket: what `fetchSockets()` gives for a socket of
 * another node of a cluster, a copy of its id, handshake, rooms and data at
 * the time of the request, whose methods act on the real socket through the
 * adapter (an emit to its id, socketsJoin/Leave, disconnectSockets on it).
 * Sockets of this node are given as their Socket objects, as socket.io 4 does.
 */
import type { Namespace as CoreNamespace } from '../actors/namespace';
import type { Handshake } from '../actors/socket';
import { NO_MODIFIERS, withRooms } from '../actors/emit-modifiers';
import { BroadcastOperator } from './broadcast-operator';
import type { AckResult, AllButLast, DecorateAcknowledgements, EventNames, EventNamesWithAck, EventParams, EventsMap } from './typed-events';

export interface RemoteSocketDetails {
  id: string;
  handshake: Record<string, unknown>;
  rooms: string[];
  data: unknown;
}

export class RemoteSocket<EmitEvents extends EventsMap = any, SocketData = any> {
  readonly id: string;
  readonly handshake: Handshake;
  readonly rooms: Set<string>;
  readonly data: SocketData;
  private readonly operator: BroadcastOperator<EmitEvents, SocketData>;

  /** `details` come from another node through Redis: shapes are checked, so a forged answer cannot break the caller. */
  constructor(nsp: CoreNamespace, details: RemoteSocketDetails) {
    this.id = details.id;
    const handshake: unknown = details.handshake;
    this.handshake = (typeof handshake === 'object' && handshake !== null ? handshake : {}) as Handshake;
    const rooms: unknown = details.rooms;
    this.rooms = new Set(Array.isArray(rooms) ? rooms.filter((room): room is string => typeof room === 'string') : []);
    this.data = details.data as SocketData;
    this.operator = new BroadcastOperator<EmitEvents, SocketData>(nsp, withRooms(NO_MODIFIERS, this.id), { expectSingleResponse: true });
  }

  emit<Ev extends EventNames<EmitEvents>>(event: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    return this.operator.emit(event, ...args);
  }

  emitWithAck<Ev extends EventNamesWithAck<EmitEvents>>(event: Ev, ...args: AllButLast<EventParams<EmitEvents, Ev>>): Promise<AckResult<EmitEvents, Ev>> {
    return this.operator.emitWithAck(event, ...args);
  }

  /** The ack of the next emit gets an error after `timeout` ms without an answer. */
  timeout(timeout: number): BroadcastOperator<DecorateAcknowledgements<EmitEvents>, SocketData> {
    return this.operator.timeout(timeout) as unknown as BroadcastOperator<DecorateAcknowledgements<EmitEvents>, SocketData>;
  }

  join(room: string | readonly string[]): void {
    this.operator.socketsJoin(room);
  }

  leave(room: string | readonly string[]): void {
    this.operator.socketsLeave(room);
  }

  disconnect(close = false): this {
    this.operator.disconnectSockets(close);
    return this;
  }
}
