/**
 * A Socket.IO socket: one client connected to one namespace.
 *
 * Its lifecycle (connecting → connected → disconnecting → disconnected, or
 * refused) is the pure machine of src/machines/socket.ts, hosted here; every
 * lifecycle step is recorded in the event log. Emitting and receiving events
 * is data plane and touches neither the machine nor the log.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import { MachineHost } from '../machines/host';
import { socketMachine, type DisconnectInitiator } from '../machines/socket';
import type { EffectHandlers } from '../machines/effects';
import { PacketType, type Packet } from '../parser/packet';
import { NO_FLAGS, type BroadcastFlags } from '../adapters/adapter-contract';
import type { CloseDetails, EngineSocket } from '../transport/engine-socket';
import type { RequestWithQuery } from '../transport/query';
import type { Client } from './client';
import type { Namespace } from './namespace';
import type { Server } from './server';
import { RESERVED_EVENTS } from './reserved-events';
import { CAPTURE_REJECTIONS, toError } from './errors';
import { runMiddlewares } from './middleware-chain';
import { randomId } from '../transport/random-id';
import { checkOption } from '../transport/option-rules';
import { packetMiddlewareRule } from './server-options';
import type { Restored } from '../adapters/recovery/outcome';
import { broadcastOptions, broadcasts, ModifierChain } from './emit-modifiers';
import { connectErrorPacket, connectPacket } from './connect-answers';
import { fitString } from '../log/bound';
import { labelSocket } from '../log/connection-label';
import type { ConnectPayload } from './connect-payload';

export interface Handshake {
  headers: IncomingMessage['headers'];
  time: string;
  address: string;
  xdomain: boolean;
  secure: boolean;
  issued: number;
  url: string;
  query: Record<string, string | string[]>;
  auth: Record<string, unknown>;
}

/** Why a socket left: the first argument of `disconnect` and `disconnecting`. */
export type DisconnectReason =
  | 'transport error'
  | 'transport close'
  | 'ping timeout'
  | 'forced close'
  | 'server shutting down'
  | 'server namespace disconnect'
  | 'client namespace disconnect';

/** The second argument of `disconnect` and `disconnecting`: who ended it and the engine's evidence. */
export interface DisconnectDetails extends Partial<Omit<CloseDetails, 'initiator'>> {
  initiator: DisconnectInitiator;
}

export type PacketMiddleware = (packet: unknown[], next: (err?: unknown) => void) => unknown;
type Ack = (...args: unknown[]) => void;

/**
 * The object an application holds for this socket when another API face
 * (iostate/v4) sits on the core: its listeners hear the socket's events in
 * place of the socket's own, and it sees each incoming event first.
 */
export interface SocketFace extends EventEmitter {
  /** An event the client sent, before the packet middlewares (socket.io 4's catch-all listeners hear it there). */
  onIncoming?(args: readonly unknown[]): void;
  /** A broadcast is being written to this socket (socket.io 4's outgoing catch-all listeners hear it). */
  onOutgoingPacket?(packet: Packet): void;
}

export class Socket extends ModifierChain {
  /** Its id; a recovered socket takes the id it had before (connectionStateRecovery). */
  id: string;
  /** Whether this is an earlier socket given back with its state (connectionStateRecovery; socket.io 4.6's `socket.recovered`). */
  recovered = false;
  /** The private session id a 4.x client recovers this socket with; only under connectionStateRecovery. */
  pid: string | undefined;
  /** What a recovered socket gets back when it connects: its rooms, and the packets it missed. */
  private restored: Restored | undefined;
  readonly server: Server;
  readonly adapter: Namespace['adapter'];
  readonly conn: EngineSocket;
  /** Application data, free for user code (as in socket.io 4). */
  data: Record<string, unknown> = {};
  // Allocated on first use: most sockets never send an ack, add a middleware or broadcast.
  private acks: Map<number, Ack> | undefined;
  private nextAckId = 0;
  private fns: PacketMiddleware[] | undefined;
  private readonly lifecycle: MachineHost<typeof socketMachine>;
  private connectTimer: NodeJS.Timeout | undefined;
  private closeDetails: Partial<Omit<CloseDetails, 'initiator'>> | undefined;
  /** The rooms it was in when it began disconnecting: the log keeps them for replay. */
  private roomsAtDisconnect: string[] | undefined;
  private handshake$: Handshake | undefined;
  private readonly since = Date.now();
  /** The face's object for this socket (iostate/v4), made before its middlewares run; undefined on the 2.x face. */
  readonly face: SocketFace | undefined;
  /** When its CONNECT arrived, on the monotonic clock: the log records how long the middlewares took. */
  private readonly arrivedAt = performance.now();

  /** The socket machine's effects (src/machines/effects.ts), shared by every socket; `this` is the socket. */
  private static readonly effects: EffectHandlers<typeof socketMachine, Socket> = {
    armConnectTimeout() {
      // socket.io 4.8 (the v4 face) times the connection, not each socket's middlewares (Server.connectTimeoutClosesConnection).
      if (this.server.connectTimeoutClosesConnection) return;
      this.connectTimer = setTimeout(Socket.onConnectTimeout, this.server.connectTimeout, this);
      this.connectTimer.unref?.();
    },
    // The exit of `connecting`, whichever way it goes: the timer stops, and the namespace stops counting this socket as incoming.
    disarmConnectTimeout() {
      clearTimeout(this.connectTimer);
      this.connectTimer = undefined;
      this.nsp.settled();
    },
    announceConnect() {
      // The socket the application holds: the face's (iostate/v4), whose middlewares set what a label reads.
      const { label, error } = labelSocket(this.server.log.label, this.handshake, this.face ?? this);
      this.server.log.record({
        type: 'socket.connect',
        sid: this.client.id,
        socketId: this.id,
        nsp: this.nsp.name,
        protocol: this.client.protocol,
        ...(this.recovered ? { recovered: true as const } : {}),
        ...(label !== undefined && { label }),
        middlewareMs: this.middlewareMs(),
      });
      // After the connect, so that the error is on the socket's own timeline.
      if (error) this.server.reportAppError(error, this);
      if (this.pid && !this.recovered) this.nsp.recovery?.open(this.id, this.pid);
      this.join(this.id);
      if (this.restored) this.replayMissed(this.restored);
      this.packet(connectPacket(this.client.protocol, this.nsp.name, this.id, this.pid));
      this.client.onSocketConnected(this);
    },
    announceRefusal({ message, data }) {
      this.server.log.record({
        type: 'socket.refused',
        sid: this.client.id,
        // Kept as given by the sessions projection: cut as the log would, so that live and replay agree.
        nsp: fitString(this.nsp.name),
        message: fitString(message),
        ...(data === undefined ? {} : { data }),
        middlewareMs: this.middlewareMs(),
      });
      this.packet(connectErrorPacket(this.client.protocol, this.nsp.name, message, data));
      this.client.onSocketRefused(this);
    },
    beginDisconnect({ reason, initiator }) {
      const details = this.disconnectDetails(initiator);
      this.server.guard(this, () => this.emitReserved('disconnecting', reason, details));
      if (this.pid) this.nsp.recovery?.left(this.id, reason, this.data);
      // Not Object.keys(this.rooms): an object keyed by long client-chosen names is slow to build (room-keys.ts).
      this.roomsAtDisconnect = [...(this.server.log.projections.rooms.roomsOf(this.nsp.name, this.id) ?? [])];
      this.leaveAll();
      this.lifecycle.send({ type: 'LEFT' });
    },
    finishDisconnect({ reason, initiator }) {
      this.nsp.remove(this);
      this.client.remove(this);
      this.acks = undefined;
      this.server.log.record({
        type: 'socket.disconnect',
        socketId: this.id,
        nsp: this.nsp.name,
        reason,
        initiator,
        sid: this.client.id,
        rooms: this.roomsAtDisconnect ?? [],
      });
      const details = this.disconnectDetails(initiator);
      this.server.guard(this, () => this.emitReserved('disconnect', reason, details));
    },
  };

  /** The connect timer: the middlewares did not answer in time. */
  private static onConnectTimeout(socket: Socket): void {
    socket.lifecycle.send({ type: 'CONNECT_TIMEOUT' });
  }

  constructor(
    readonly nsp: Namespace,
    readonly client: Client,
    private readonly payload: ConnectPayload,
  ) {
    super(CAPTURE_REJECTIONS);
    this.server = nsp.server;
    this.adapter = nsp.adapter;
    this.conn = client.conn;
    this.id = socketIdFor(nsp.name, client);
    if (nsp.recovery && client.protocol === 5) this.pid = randomId();
    this.lifecycle = new MachineHost(socketMachine, Socket.effects, undefined, this);
    this.face = nsp.face?.socketFace(this);
  }

  /** Whose listeners hear this socket's events: the face's object, or the socket itself. */
  get events(): EventEmitter {
    return this.face ?? this;
  }

  /** The handshake details, built on first read from the request and the CONNECT payload. */
  get handshake(): Handshake {
    return (this.handshake$ ??= buildHandshake(this.client, this.payload, this.since));
  }

  // Typed listeners for the events the server emits; an app's own events take any arguments.
  override on(event: 'disconnect' | 'disconnecting', listener: (reason: DisconnectReason, details: DisconnectDetails) => void): this;
  override on(event: 'error', listener: (err: Error) => void): this;
  override on(event: string, listener: (...args: any[]) => void): this;
  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    return super.on(event, listener);
  }

  override once(event: 'disconnect' | 'disconnecting', listener: (reason: DisconnectReason, details: DisconnectDetails) => void): this;
  override once(event: 'error', listener: (err: Error) => void): this;
  override once(event: string, listener: (...args: any[]) => void): this;
  override once(event: string | symbol, listener: (...args: any[]) => void): this {
    return super.once(event, listener);
  }

  get request(): IncomingMessage {
    return this.conn.request;
  }

  /** True from the connection until the `disconnect` event: still true in `disconnecting`, as in socket.io 2.5.1 and 4. */
  get connected(): boolean {
    const state = this.lifecycle.state;
    return state === 'connected' || state === 'disconnecting';
  }

  /** Connected and not yet leaving: what packets in and out, acks and disconnect() need. */
  private get live(): boolean {
    return this.lifecycle.state === 'connected';
  }

  get disconnected(): boolean {
    return !this.connected;
  }

  /** The lifecycle state: connecting, connected, disconnecting, disconnected or refused. */
  get state(): string {
    return this.lifecycle.state;
  }

  /** Time since its CONNECT arrived (ms, to the µs): how long its namespace's middlewares took, when it connects or is refused. */
  private middlewareMs(): number {
    return Math.round((performance.now() - this.arrivedAt) * 1000) / 1000;
  }

  /** When the socket was created (ms since the epoch). */
  get createdAt(): number {
    return this.since;
  }

  /** The rooms this socket is in, keyed by name (2.x shape), read from the log's projection. */
  get rooms(): Record<string, string> {
    const rooms: Record<string, string> = {};
    for (const room of this.server.log.projections.rooms.roomsOf(this.nsp.name, this.id) ?? []) rooms[room] = room;
    return rooms;
  }

  use(fn: PacketMiddleware): this {
    checkOption('socket.use(fn)', packetMiddlewareRule, fn);
    (this.fns ??= []).push(fn);
    return this;
  }

  /** The next emit goes to every socket of the namespace but this one (with `to`: of those rooms). */
  get broadcast(): this {
    return this.setFlag('broadcast', true);
  }

  /**
   * Sends an event to this client, or — after `to`/`in`/`except`/`broadcast` —
   * to the chosen rooms (everyone in the namespace for `broadcast`) except itself.
   * Reserved names (`disconnect`, `error`…) throw: only the library emits them.
   */
  // Returns `this` for chaining, as socket.io 2.x (typed `any` to stay an EventEmitter override).
  override emit(event: string | symbol, ...args: unknown[]): any {
    if (typeof event === 'symbol' || RESERVED_EVENTS.has(event)) throw new Error(`"${String(event)}" is a reserved event name`);
    const modifiers = this.takeModifiers();
    if (broadcasts(modifiers)) {
      if (typeof args[args.length - 1] === 'function') throw new Error('Callbacks are not supported when broadcasting');
      this.adapter.broadcast({ type: PacketType.EVENT, nsp: this.nsp.name, data: [event, ...args] }, broadcastOptions(modifiers, this.id));
      return this;
    }
    const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as Ack) : undefined;
    this.sendEvent([event, ...args], modifiers.flags, ack);
    return this;
  }

  /**
   * Writes an EVENT packet (`data`: name and arguments) to this client, with
   * no check of the name: each face checks its own reserved names. With
   * `ack`, returns the function that stops waiting for it (a later ack is
   * then ignored).
   */
  sendEvent(data: unknown[], flags: BroadcastFlags = NO_FLAGS, ack?: Ack): () => void {
    const packet: Packet = { type: PacketType.EVENT, nsp: this.nsp.name, data };
    if (!ack) {
      // Kept for recovery as a broadcast to its own room, as socket.io 4 does.
      if (this.pid && !flags.volatile) packet.data = this.nsp.recovery!.keep(data, [this.id], []);
      this.packet(packet, flags);
      return noop;
    }
    const id = this.nextAckId++;
    packet.id = id;
    (this.acks ??= new Map()).set(id, ack);
    this.packet(packet, flags);
    return () => {
      this.acks?.delete(id);
    };
  }

  /**
   * Sends an event to this client and waits for its ack, for a while:
   * returns the function that stops waiting (a later ack is then ignored).
   * For another node's broadcast with acks, whose requester stops listening
   * after its timeout.
   */
  emitExpectingAck(event: string, args: readonly unknown[], ack: Ack): () => void {
    if (RESERVED_EVENTS.has(event)) throw new Error(`"${event}" is a reserved event name`);
    return this.sendEvent([event, ...args], NO_FLAGS, ack);
  }

  send(...args: unknown[]): this {
    this.emit('message', ...args);
    return this;
  }

  write(...args: unknown[]): this {
    return this.send(...args);
  }

  join(rooms: string | string[], fn?: (err: Error | null) => void): this {
    const names = (Array.isArray(rooms) ? rooms : [rooms]).map(String);
    this.adapter.addAll(this.id, names, fn ?? noop);
    return this;
  }

  leave(room: string, fn?: (err: Error | null) => void): this {
    this.adapter.del(this.id, String(room), fn ?? noop);
    return this;
  }

  leaveAll(): this {
    this.adapter.delAll(this.id);
    return this;
  }

  /**
   * Leaves this namespace; with `close`, ends the whole connection (and so
   * every namespace on it).
   */
  disconnect(close = false): this {
    if (!this.live) return this;
    if (close) {
      this.client.disconnectAll('server namespace disconnect');
    } else {
      this.packet({ type: PacketType.DISCONNECT, nsp: this.nsp.name });
      this.onclose('server namespace disconnect', 'application');
    }
    return this;
  }

  /**
   * Writes one packet to this client (data plane). With `preEncoded`, the
   * parts an adapter written for socket.io 2 encoded once for a broadcast.
   */
  packet(packet: Packet | Array<string | Buffer>, flags: BroadcastFlags & { preEncoded?: boolean } = NO_FLAGS): void {
    if (flags.preEncoded) this.client.writeEncoded(packet as Array<string | Buffer>, flags);
    else this.client.packet(packet as Packet, flags);
  }

  /** Takes the identity of an earlier socket a client asks for back (while its recovery is under way). */
  adopt(id: string, pid: string): void {
    this.id = id;
    this.pid = pid;
  }

  /** Its recovery failed after all: it becomes a new socket. */
  renew(): void {
    this.id = socketIdFor(this.nsp.name, this.client);
    this.pid = randomId();
  }

  /** Its earlier state is given back: `data` now, its rooms and missed packets when it connects. */
  restore(restored: Restored): void {
    this.recovered = true;
    this.data = restored.data as Record<string, unknown>;
    this.restored = restored;
  }

  /** Rejoins a recovered socket's rooms and writes what it missed, before the CONNECT that confirms it (as socket.io 4). */
  private replayMissed(restored: Restored): void {
    this.restored = undefined;
    if (restored.rooms.length > 0) this.join([...restored.rooms]);
    for (const data of restored.packets) this.client.packet({ type: PacketType.EVENT, nsp: this.nsp.name, data: [...data] });
  }

  /** Called by the namespace once middlewares passed. */
  onconnect(): void {
    this.lifecycle.send({ type: 'MIDDLEWARE_OK' });
  }

  /** Called by the namespace when a middleware refused the socket. */
  refuse(message: string, data?: unknown): void {
    this.lifecycle.send({ type: 'MIDDLEWARE_ERROR', message, data });
  }

  /** Routes a packet the client sent to this namespace. */
  onpacket(packet: Packet): void {
    if (!this.live) return;
    switch (packet.type) {
      case PacketType.EVENT:
      case PacketType.BINARY_EVENT:
        this.onevent(packet);
        break;
      case PacketType.ACK:
      case PacketType.BINARY_ACK:
        this.onack(packet);
        break;
      case PacketType.DISCONNECT:
        this.onclose('client namespace disconnect', 'client');
        break;
    }
  }

  /** Ends the socket with `reason`; `details` are the engine's evidence when the connection closed. */
  onclose(reason: string, initiator: DisconnectInitiator, details?: Partial<Omit<CloseDetails, 'initiator'>>): void {
    this.closeDetails ??= details; // the first end is the one reported
    this.lifecycle.send({ type: 'DISCONNECT', reason, initiator });
  }

  /**
   * socket.io 2.x's `socket.error(data)`: a 2.x client gets an ERROR packet
   * with `data` as given (an Error: its `data`, else its message), and nothing
   * else happens, as in 2.5.1. 4.x clients have no such packet after connect,
   * so the socket emits 'error' instead.
   */
  error(data: unknown): void {
    if (this.client.protocol === 4) this.sendError(data instanceof Error ? ((data as Error & { data?: unknown }).data ?? data.message) : data);
    else this.emitReserved('error', toError(data));
  }

  /** A client sent a reserved event name: it gets an error (2.x: an ERROR packet) and the app an 'error' event. */
  private refuseReservedEvent(name: string): void {
    const error = new Error(`"${name}" is a reserved event name`);
    if (this.client.protocol === 4) this.sendError(error.message);
    this.emitReserved('error', error);
  }

  /** Socket.IO protocol 4's ERROR packet (CONNECT_ERROR's number), which 2.x clients emit as 'error'. */
  private sendError(data: unknown): void {
    this.packet({ type: PacketType.CONNECT_ERROR, nsp: this.nsp.name, data });
  }

  /**
   * An `async` listener (event handler, `disconnect`…) that rejected: reported
   * like one that threw. A rejection of an `error` listener is only logged.
   */
  [Symbol.for('nodejs.rejection')](err: unknown, event: string): void {
    this.server.reportAppError(err, this, event !== 'error');
  }

  /** Runs the local listeners of a reserved event (`error`, `disconnect`…), which `emit` refuses. */
  emitReserved(event: string, ...args: unknown[]): void {
    const events = this.events;
    if (event === 'error' && events.listenerCount('error') === 0) return;
    EventEmitter.prototype.emit.call(events, event, ...args);
  }

  private onevent(packet: Packet): void {
    const args = (packet.data as unknown[]).slice();
    if (typeof args[0] === 'string' && RESERVED_EVENTS.has(args[0])) return this.refuseReservedEvent(args[0]);
    if (packet.id !== undefined) args.push(this.ackFor(packet.id));
    this.face?.onIncoming?.(args);
    if (!this.fns) return this.dispatch(args);
    runMiddlewares(
      this.fns,
      args,
      (err) => this.server.reportAppError(err, this),
      (err) => {
        // A tick later, as the event it stands for would have been (socket.io 2.5.1 and 4.8 alike).
        if (err) return process.nextTick(() => this.refusePacket(err));
        this.dispatch(args);
      },
    );
  }

  /**
   * A socket middleware refused a packet. A 2.x client is told with an ERROR
   * packet (the error's data, else its message) and that is all, as in
   * socket.io 2.x; 4.x clients have no such packet, so the socket emits
   * 'error', as in socket.io 4.
   */
  private refusePacket(err: Error & { data?: unknown }): void {
    if (this.client.protocol === 4) this.packet({ type: PacketType.CONNECT_ERROR, nsp: this.nsp.name, data: err.data || err.message });
    else this.emitReserved('error', err);
  }

  /**
   * Hands an incoming event to the app a tick after it was read, as
   * socket.io 2.x does: a DISCONNECT of this namespace read in the same
   * batch wins, and the event is dropped.
   */
  private dispatch(args: unknown[]): void {
    process.nextTick(Socket.dispatchNow, this, args);
  }

  private static dispatchNow(socket: Socket, args: unknown[]): void {
    if (!socket.live) return;
    socket.server.guard(socket, () => EventEmitter.prototype.emit.apply(socket.events, args as [string, ...unknown[]]));
  }

  private onack(packet: Packet): void {
    if (packet.id === undefined) return;
    const ack = this.acks?.get(packet.id);
    if (!ack) return;
    this.acks!.delete(packet.id);
    const data = Array.isArray(packet.data) ? packet.data : [];
    this.server.guard(this, () => ack.apply(this, data));
  }

  /** An ack callback handed to a handler: the first call answers, later calls are ignored. */
  private ackFor(id: number): Ack {
    let sent = false;
    return (...args: unknown[]) => {
      if (sent || !this.live) return;
      sent = true;
      this.packet({ type: PacketType.ACK, nsp: this.nsp.name, id, data: args });
    };
  }

  private disconnectDetails(initiator: DisconnectInitiator): DisconnectDetails {
    return Object.assign({}, this.closeDetails, { initiator });
  }
}

function noop(): void {}

function buildHandshake(client: Client, payload: ConnectPayload, issued: number): Handshake {
  const req = client.request;
  const url = req.url ?? '/';
  // The engine (ours or engine.io) parsed the URL's query once, as `_query`;
  // the CONNECT packet's query (2.x namespaces) overrides it key by key.
  const requestQuery = (req as Partial<RequestWithQuery>)._query;
  const query = Object.assign({}, requestQuery, payload.query ? parseQueryString(payload.query) : undefined) as Handshake['query'];
  return {
    headers: req.headers,
    time: new Date(issued).toString(),
    address: client.conn.remoteAddress,
    xdomain: Boolean(req.headers.origin),
    secure: Boolean((req.socket as { encrypted?: boolean } | undefined)?.encrypted),
    issued,
    url,
    query,
    auth: payload.auth ?? {},
  };
}

/**
 * A socket id is public (apps broadcast it), a session id is a secret. A 4.x
 * client learns its socket id from the CONNECT reply, so it gets a random one,
 * as in socket.io 4. A 2.x client derives its id from the session id itself,
 * so 2.x ids stay `sid` and `<nsp>#<sid>` (see `bindSessionToAddress`).
 */
function socketIdFor(nsp: string, client: Client): string {
  if (client.protocol === 5) return randomId();
  return nsp === '/' ? client.id : `${nsp}#${client.id}`;
}
