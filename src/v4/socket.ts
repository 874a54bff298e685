/**
 * socket.io 4's Socket, the object the application holds for one client in
 * one namespace. Its lifecycle, packets, acks and rooms are the core
 * socket's (src/actors/socket.ts), which records every step in the log;
 * this face gives them socket.io 4's shapes: `rooms` as a Set, `to()` as a
 * new BroadcastOperator, acks with timeouts and Promises, catch-all listeners.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Socket as CoreSocket, DisconnectDetails, DisconnectReason as CoreDisconnectReason, Handshake, SocketFace } from '../actors/socket';
import type { BroadcastFlags } from '../adapters/adapter-contract';
import { PacketType, type Packet } from '../parser/packet';
import { NO_MODIFIERS, withExcept, withFlag } from '../actors/emit-modifiers';
import { BroadcastOperator } from './broadcast-operator';
import { checkEmittable, timeoutError } from './reserved-events';
import { CatchAllListeners } from './catch-all';
import type { Namespace } from './namespace';
import type { Server } from './server';
import type {
  AckResult,
  AllButLast,
  DecorateAcknowledgements,
  DecorateAcknowledgementsWithMultipleResponses,
  DefaultEventsMap,
  EventNames,
  EventNamesWithAck,
  EventParams,
  EventsMap,
  ReservedOrUserEventNames,
  ReservedOrUserListener,
} from './typed-events';

export type { Handshake } from '../actors/socket';

/** Why a socket left, as socket.io 4.8 names it. */
export type DisconnectReason = CoreDisconnectReason | 'parse error' | 'forced server close';

/** The events the library emits on a socket. */
export interface SocketReservedEventsMap {
  disconnect: (reason: DisconnectReason, description?: DisconnectDetails) => void;
  disconnecting: (reason: DisconnectReason, description?: DisconnectDetails) => void;
  error: (err: Error) => void;
}

type AnyFn = (...args: any[]) => any;

export class Socket<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any,
>
  extends EventEmitter
  implements SocketFace
{
  /** Whether the socket came back with its id, rooms, data and missed packets (connectionStateRecovery, docs/recovery.md). */
  get recovered(): boolean {
    return this.core.recovered;
  }
  // The modifiers of the next emit to this client (socket.io 4 keeps them on the socket, reset by each emit).
  private flags: BroadcastFlags & { timeout?: number } = {};
  private catchAll: CatchAllListeners | undefined;

  constructor(
    readonly nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    /** The core socket this object is the face of. */
    readonly core: CoreSocket,
  ) {
    super({ captureRejections: true });
  }

  /** An `async` listener that rejected: reported like one that threw (log, then this socket's 'error' listeners). */
  [Symbol.for('nodejs.rejection')](err: unknown, event: string): void {
    this.core.server.reportAppError(err, this.core, event !== 'error');
  }

  get id(): string {
    return this.core.id;
  }

  get server(): Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    return this.nsp.server;
  }

  get adapter(): Namespace['adapter'] {
    return this.nsp.adapter;
  }

  get handshake(): Handshake {
    return this.core.handshake;
  }

  /** Free for the application; what fetchSockets() reports as `data`, on every node. */
  get data(): SocketData {
    return this.core.data as SocketData;
  }

  set data(value: SocketData) {
    this.core.data = value as Record<string, unknown>;
  }

  get conn(): CoreSocket['conn'] {
    return this.core.conn;
  }

  get client(): { readonly conn: CoreSocket['conn']; readonly request: IncomingMessage } {
    return this.core.client;
  }

  get request(): IncomingMessage {
    return this.core.request;
  }

  /** True from the connection until the socket's `disconnect` event (so still true in `disconnecting`, as in socket.io 4). */
  get connected(): boolean {
    return this.core.connected;
  }

  get disconnected(): boolean {
    return !this.connected;
  }

  /** The rooms this socket is in (its own id among them), a copy read from the log's projection. */
  get rooms(): Set<string> {
    return new Set(this.core.server.log.projections.rooms.roomsOf(this.core.nsp.name, this.core.id));
  }

  // Typed listeners: the library's events and the app's ListenEvents.
  override on<Ev extends ReservedOrUserEventNames<SocketReservedEventsMap, ListenEvents>>(
    event: Ev,
    listener: ReservedOrUserListener<SocketReservedEventsMap, ListenEvents, Ev>,
  ): this {
    return super.on(event as string, listener as AnyFn);
  }

  override once<Ev extends ReservedOrUserEventNames<SocketReservedEventsMap, ListenEvents>>(
    event: Ev,
    listener: ReservedOrUserListener<SocketReservedEventsMap, ListenEvents, Ev>,
  ): this {
    return super.once(event as string, listener as AnyFn);
  }

  /**
   * Sends an event to this client; with a callback last, waits for its ack
   * (after `timeout()`, the callback gets an error first, and one if the
   * client did not answer in time). Reserved names throw.
   */
  override emit<Ev extends EventNames<EmitEvents>>(event: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    checkEmittable(event);
    const data: unknown[] = [event, ...args];
    const flags = this.takeFlags();
    const ack = typeof data[data.length - 1] === 'function' ? (data.pop() as AnyFn) : undefined;
    this.catchAll?.notifyOutgoing(this, data);
    if (!ack) {
      this.core.sendEvent(data, flags);
      return true;
    }
    if (flags.timeout === undefined) {
      this.core.sendEvent(data, flags, (...answer: unknown[]) => ack.apply(this, answer));
      return true;
    }
    let stopWaiting = (): void => {};
    const timer = setTimeout(() => {
      stopWaiting();
      ack.call(this, timeoutError());
    }, flags.timeout);
    stopWaiting = this.core.sendEvent(data, flags, (...answer: unknown[]) => {
      clearTimeout(timer);
      ack.call(this, null, ...answer);
    });
    return true;
  }

  /** `emit` with an ack, as a Promise of the client's answer; after `timeout()`, rejects if it does not come in time. */
  emitWithAck<Ev extends EventNamesWithAck<EmitEvents>>(event: Ev, ...args: AllButLast<EventParams<EmitEvents, Ev>>): Promise<AckResult<EmitEvents, Ev>> {
    const withError = this.flags.timeout !== undefined;
    return new Promise((resolve, reject) => {
      const ack = withError ? (err: Error | null, answer: any) => (err ? reject(err) : resolve(answer)) : (answer: any) => resolve(answer);
      (this.emit as AnyFn)(event, ...args, ack);
    });
  }

  send(...args: EventParams<EmitEvents, 'message'>): this {
    (this.emit as AnyFn)('message', ...args);
    return this;
  }

  write(...args: EventParams<EmitEvents, 'message'>): this {
    return this.send(...args);
  }

  /** Broadcasts to `room`'s members except this socket. */
  to(room: string | readonly string[]): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.newBroadcastOperator().to(room);
  }

  in(room: string | readonly string[]): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.to(room);
  }

  except(room: string | readonly string[]): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.newBroadcastOperator().except(room);
  }

  /** Every socket of the namespace but this one. */
  get broadcast(): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.newBroadcastOperator();
  }

  get local(): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.newBroadcastOperator().local;
  }

  /** The next emit may be dropped if the client cannot take it now. */
  get volatile(): this {
    this.flags.volatile = true;
    return this;
  }

  compress(compress: boolean): this {
    this.flags.compress = compress;
    return this;
  }

  /** The ack of the next emit gets an error after `timeout` ms without an answer. */
  timeout(timeout: number): Socket<ListenEvents, DecorateAcknowledgements<EmitEvents>, ServerSideEvents, SocketData> {
    this.flags.timeout = timeout;
    return this as unknown as Socket<ListenEvents, DecorateAcknowledgements<EmitEvents>, ServerSideEvents, SocketData>;
  }

  join(rooms: string | readonly string[]): void {
    this.core.join(typeof rooms === 'string' ? rooms : [...rooms]);
  }

  leave(room: string): void {
    this.core.leave(room);
  }

  /** Leaves the namespace; with `close`, closes the whole connection. */
  disconnect(close = false): this {
    this.core.disconnect(close);
    return this;
  }

  /** A middleware for each incoming event: `(event, next)`, `event` being `[name, ...args]`. */
  use(fn: (event: [string, ...any[]], next: (err?: Error) => void) => void): this {
    this.core.use(fn as (packet: unknown[], next: (err?: unknown) => void) => unknown);
    return this;
  }

  // Catch-all listeners (socket.io 4.x): every incoming event, and every outgoing one.
  onAny(listener: (event: string, ...args: any[]) => void): this {
    this.listenersOfAny().add(listener, false);
    return this;
  }

  prependAny(listener: (event: string, ...args: any[]) => void): this {
    this.listenersOfAny().add(listener, true);
    return this;
  }

  offAny(listener?: (event: string, ...args: any[]) => void): this {
    this.catchAll?.remove(listener, false);
    return this;
  }

  listenersAny(): Array<(...args: any[]) => void> {
    return this.catchAll?.incoming.slice() ?? [];
  }

  onAnyOutgoing(listener: (event: string, ...args: any[]) => void): this {
    this.listenersOfAny().addOutgoing(listener, false);
    return this;
  }

  prependAnyOutgoing(listener: (event: string, ...args: any[]) => void): this {
    this.listenersOfAny().addOutgoing(listener, true);
    return this;
  }

  offAnyOutgoing(listener?: (event: string, ...args: any[]) => void): this {
    this.catchAll?.remove(listener, true);
    return this;
  }

  listenersAnyOutgoing(): Array<(...args: any[]) => void> {
    return this.catchAll?.outgoing.slice() ?? [];
  }

  /** The core calls this with each incoming event, before the packet middlewares. */
  onIncoming(args: readonly unknown[]): void {
    const catchAll = this.catchAll;
    if (catchAll) this.core.server.guard(this.core, () => catchAll.notifyIncoming(this, args));
  }

  /** A broadcast reached this socket: its outgoing catch-all listeners hear it. */
  onOutgoingPacket(packet: Packet): void {
    const catchAll = this.catchAll;
    if (!catchAll || packet.type !== PacketType.EVENT || !Array.isArray(packet.data)) return;
    const data = packet.data;
    this.core.server.guard(this.core, () => catchAll.notifyOutgoing(this, data));
  }

  private listenersOfAny(): CatchAllListeners {
    return (this.catchAll ??= new CatchAllListeners());
  }

  private takeFlags(): BroadcastFlags & { timeout?: number } {
    const flags = this.flags;
    this.flags = {};
    return flags;
  }

  private newBroadcastOperator(): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    // The socket's pending flags go with the operator, and leave the socket (as in socket.io 4).
    const { timeout, ...flags } = this.takeFlags();
    let modifiers = withExcept(NO_MODIFIERS, this.id);
    for (const [flag, value] of Object.entries(flags)) modifiers = withFlag(modifiers, flag as keyof BroadcastFlags, value);
    return new BroadcastOperator(this.core.nsp, modifiers, timeout === undefined ? undefined : { timeout });
  }
}
