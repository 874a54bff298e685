/**
 * A Client is one Engine.IO connection seen from Socket.IO: it decodes the
 * packets that arrive on it, routes them to the socket of their namespace,
 * and writes the packets its sockets send. It speaks Socket.IO protocol 4 to
 * Engine.IO v3 connections (socket.io-client 2.x) and protocol 5 to Engine.IO
 * v4 ones (3.x/4.x).
 *
 * Generation differences handled here: a 2.x client is connected to `/`
 * automatically and gets namespace errors as ERROR packets; a 4.x client
 * connects to each namespace explicitly (within `connectTimeout`) and gets
 * CONNECT_ERROR with a message and data.
 */
import type { IncomingMessage } from 'node:http';
import { fitString } from '../log/bound';
import { PacketType, type Packet } from '../parser/packet';
import { connectErrorPacket } from './connect-answers';
import type { PacketCodec } from '../parser';
import { NO_FLAGS, type BroadcastFlags } from '../adapters/adapter-contract';
import type { CloseDetails, EngineSocket } from '../transport/engine-socket';
import { PreparedMessage } from '../transport/prepared-message';
import type { DisconnectInitiator } from '../machines/socket';
import type { Server } from './server';
import { namespaceNamed } from './namespace-named';
import type { Socket } from './socket';
import type { ConnectPayload } from './connect-payload';

/** A namespace a client's socket joins (a Namespace is one). */
interface JoinedNamespace {
  readonly name: string;
  /** `active` until the namespace is closed or, as an emptied child, deleted. */
  readonly state: string;
  add(client: Client, payload: ConnectPayload): Socket;
}

export class Client {
  readonly id: string;
  /** Socket.IO protocol spoken on this connection: 4 (2.x clients) or 5 (3.x/4.x). */
  readonly protocol: 4 | 5;
  /** Its sockets, one per namespace, by namespace name: in the middlewares, connected, or disconnecting. */
  private readonly byNamespace = new Map<string, Socket>();
  private readonly decoder: ReturnType<PacketCodec['createDecoder']>;
  /** 2.x: CONNECTs to other namespaces that arrived while `/` was in its middlewares, first per name. */
  private heldConnects: Map<string, [JoinedNamespace, ConnectPayload]> | undefined;
  private connectTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly server: Server,
    readonly conn: EngineSocket,
  ) {
    this.id = conn.id;
    // Before the listeners: a close during construction (a middleware closing it) still unregisters it.
    server.openClients.set(this.id, this);
    // engine.io 3 sockets (server.bind) have no `protocol`: they only speak Engine.IO v3.
    this.protocol = conn.protocol === 4 ? 5 : 4;
    this.decoder = server.codec.createDecoder(this.protocol);
    if (typeof conn.setHandler === 'function') {
      conn.setHandler({ onMessage: (data) => this.ondata(data), onClose: (reason, details) => this.onclose(reason, details) });
    } else {
      // An engine.io socket (server.bind): its events.
      conn.on('message', (data: string | Buffer) => this.ondata(data));
      conn.on('close', (reason: string, details: CloseDetails) => this.onclose(reason, details));
      conn.on('error', () => {
        // The engine closes the session after an error; 'close' carries the reason.
      });
    }
    if (this.protocol === 4) {
      this.connect('/', {});
    } else {
      this.connectTimer = setTimeout(closeIfNoNamespace, server.connectTimeout, this);
      this.connectTimer.unref?.();
    }
  }

  get request(): IncomingMessage {
    return this.conn.request;
  }

  /** socket.io 2's `client.sockets`: its sockets past the middlewares, by socket id (built on read). */
  get sockets(): Record<string, Socket> {
    const sockets: Record<string, Socket> = {};
    for (const socket of this.byNamespace.values()) if (socket.state !== 'connecting') sockets[socket.id] = socket;
    return sockets;
  }

  /** socket.io 2's `client.nsps`: its sockets by namespace name, those in the middlewares too (built on read). */
  get nsps(): Record<string, Socket> {
    return Object.fromEntries(this.byNamespace);
  }

  /** Writes one packet (data plane): encoded here, framed by the engine. */
  packet(packet: Packet, flags: Readonly<BroadcastFlags> = NO_FLAGS): void {
    if (!this.takes(flags)) return;
    const options = flags.compress === false ? UNCOMPRESSED : COMPRESSED;
    for (const part of this.server.codec.encode(packet, flags)) this.conn.send(part, options);
  }

  /** Writes a broadcast's shared encoding (data plane). */
  writePrepared(message: PreparedMessage, flags: Readonly<BroadcastFlags>): void {
    if (!this.takes(flags)) return;
    const options = flags.compress === false ? UNCOMPRESSED : COMPRESSED;
    if (typeof this.conn.sendPrepared === 'function') this.conn.sendPrepared(message, options);
    else for (const part of message.parts) this.conn.send(part, options); // an engine without shared framing (bind)
  }

  /**
   * Whether a message with `flags` is written now, the one check of every
   * write: the connection is open, and a volatile message goes out only
   * when the transport can write it at once.
   */
  private takes(flags: Readonly<BroadcastFlags>): boolean {
    if (this.conn.readyState !== 'open') return false;
    return !flags.volatile || writableNow(this.conn);
  }

  /** Writes parts encoded by an adapter for socket.io 2: the same parts array (one broadcast) is framed once for all. */
  writeEncoded(parts: Array<string | Buffer>, flags: Readonly<BroadcastFlags>): void {
    let message = preparedParts.get(parts);
    if (!message) {
      message = new PreparedMessage(parts);
      preparedParts.set(parts, message);
    }
    this.writePrepared(message, flags);
  }

  /** Connects this client to namespace `name`, creating it through a dynamic parent if one accepts. */
  connect(name: string, payload: ConnectPayload): void {
    // Before any lookup: such a name would collide with every other long one in each map keyed by names.
    if (name.length > MAX_NAMESPACE_NAME_LENGTH) return this.refuseNamespace(name);
    if (this.byNamespace.has(name)) return;
    const existing = namespaceNamed(this.server.nsps, name);
    if (existing) return this.join(existing, payload);
    this.server.checkDynamicNamespace(name, this.id, payload, (nsp) => {
      if (!nsp) return this.refuseNamespace(name);
      if (this.conn.readyState !== 'open' || this.byNamespace.has(name)) return;
      this.join(nsp, payload);
    });
  }

  /**
   * No such namespace: the client hears 'Invalid namespace', and the log keeps the refusal so that replay can tell why
   * the client got no socket. The name is the client's: cut before the projection keeps it, as the log would.
   */
  private refuseNamespace(name: string): void {
    this.server.log.record({ type: 'socket.refused', sid: this.id, nsp: fitString(name), message: 'Invalid namespace' });
    this.packet(connectErrorPacket(this.protocol, name, 'Invalid namespace'));
  }

  private join(nsp: JoinedNamespace, payload: ConnectPayload): void {
    if (this.protocol === 4 && nsp.name !== '/' && this.byNamespace.get('/')?.state !== 'connected') return this.holdUntilRootConnects(nsp, payload);
    const socket = nsp.add(this, payload);
    // A middleware may refuse it, or a handler disconnect it, before add() returns: only a live socket is kept.
    if (socket.state === 'connecting' || socket.state === 'connected') this.byNamespace.set(nsp.name, socket);
  }

  /**
   * A 2.x client reaches other namespaces only through `/`, as in socket.io
   * 2.x: a CONNECT that arrives while `/` is in its middlewares waits for
   * them, and one that arrives after `/` refused it or was left is never
   * answered. So `io.use` guards every namespace of a 2.x connection.
   */
  private holdUntilRootConnects(nsp: JoinedNamespace, payload: ConnectPayload): void {
    if (this.byNamespace.get('/')?.state !== 'connecting') return;
    const held = (this.heldConnects ??= new Map());
    if (!held.has(nsp.name)) held.set(nsp.name, [nsp, payload]);
  }

  private releaseHeldConnects(): void {
    const held = this.heldConnects;
    this.heldConnects = undefined;
    for (const [nsp, payload] of held?.values() ?? []) {
      if (this.conn.readyState !== 'open' || this.byNamespace.has(nsp.name)) continue;
      // A child deleted meanwhile (cleanupEmptyChildNamespaces) is looked up, or created, again.
      if (nsp.state === 'active') this.join(nsp, payload);
      else this.connect(nsp.name, payload);
    }
  }

  /** Called by a socket that passed its middlewares (and sent its CONNECT): a 2.x client's held CONNECTs follow `/`. */
  onSocketConnected(socket: Socket): void {
    this.clearConnectTimer();
    if (socket.nsp.name === '/') this.releaseHeldConnects();
  }

  /** Called by a socket its namespace refused (it sent its CONNECT_ERROR): forgotten, with the CONNECTs held behind `/`. */
  onSocketRefused(socket: Socket): void {
    this.remove(socket);
    if (socket.nsp.name === '/') this.heldConnects = undefined;
  }

  /** Forgets a socket that left; the connection stays open for the others. */
  remove(socket: Socket): void {
    if (this.byNamespace.get(socket.nsp.name) === socket) this.byNamespace.delete(socket.nsp.name);
  }

  /** Disconnects every socket with `reason`, then closes the connection. */
  disconnectAll(reason: string): void {
    for (const socket of [...this.byNamespace.values()]) {
      if (socket.state === 'connected') socket.packet({ type: PacketType.DISCONNECT, nsp: socket.nsp.name });
      socket.onclose(reason, 'application');
    }
    this.conn.close();
  }

  /** A 4.x client must join a namespace within `connectTimeout`; a 2.x one joined `/` at once. */
  closeIfIdle(): void {
    this.connectTimer = undefined;
    // The timer stops at the first socket connected: with the v4 face's policy, sockets still in their middlewares do not keep the connection.
    if (this.byNamespace.size === 0 || this.server.connectTimeoutClosesConnection) this.conn.close();
  }

  private clearConnectTimer(): void {
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
  }

  private ondata(data: string | Buffer | undefined): void {
    // A message without data reaches the decoder as is: it words that error as socket.io's parser does.
    const result = this.decoder.add(data as string | Buffer);
    if (!result.ok) return this.onParseError(result.error, result.wording);
    if (result.value) this.ondecoded(result.value);
  }

  private ondecoded(packet: Packet): void {
    if (packet.type === PacketType.CONNECT) {
      const auth = this.protocol === 5 && isRecord(packet.data) ? packet.data : undefined;
      this.connect(packet.nsp, { query: packet.query, auth });
      return;
    }
    this.byNamespace.get(packet.nsp)?.onpacket(packet);
  }

  /**
   * The client sent bytes that are no Socket.IO packet: its sockets get an
   * `error` worded as socket.io's parser words it (`wording`; a custom
   * parser's own message as is), the log the exact reason, and the
   * connection is closed, as socket.io 2.x did. Other clients are not affected.
   */
  private onParseError(reason: string, wording: string | undefined): void {
    this.server.reportProtocolError(this, `parse error: ${reason}`);
    const error = new Error(wording ?? reason);
    for (const socket of [...this.byNamespace.values()]) if (socket.state !== 'connecting') socket.emitReserved('error', error);
    this.conn.close();
  }

  private onclose(reason: string, details: CloseDetails): void {
    this.server.openClients.delete(this.id);
    this.clearConnectTimer();
    this.decoder.destroy();
    const initiator: DisconnectInitiator = details?.initiator === 'client' ? 'client' : 'server';
    for (const socket of [...this.byNamespace.values()]) socket.onclose(reason, initiator, details);
  }
}

/** The framing of each broadcast's encoded parts, shared by its recipients, for as long as the parts live. */
/**
 * The longest namespace name a client may ask for. V8 hashes a longer string
 * by its length alone, so a client sending hundreds of such names (up to
 * maxHttpBufferSize each) made every lookup in the maps and objects keyed by
 * names compare them all: seconds of CPU per connection. socket.io has no
 * bound; no real namespace name comes near this one.
 */
export const MAX_NAMESPACE_NAME_LENGTH = 16_383;

const preparedParts = new WeakMap<Array<string | Buffer>, PreparedMessage>();

function closeIfNoNamespace(client: Client): void {
  client.closeIfIdle();
}

/**
 * Whether a volatile message goes out, as socket.io 2.x decides: only when
 * the transport can write it at once. engine.io 3 writes synchronously, so
 * its transport is busy while a write is in flight; ours batches writes
 * per tick, so one waiting in the write buffer makes it busy too. A
 * volatile emit right after any other is therefore dropped on both.
 */
function writableNow(conn: EngineSocket): boolean {
  return conn.transport.writable && conn.writeBuffer.length === 0;
}

const COMPRESSED = { compress: true };
const UNCOMPRESSED = { compress: false };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
