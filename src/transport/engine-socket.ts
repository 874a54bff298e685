/**
 * One Engine.IO session, with engine.io's public Socket API.
 *
 * Its lifecycle is the pure connection machine (src/machines/connection.ts),
 * hosted by snapshot; this class performs the machine's named actions
 * (timers, heartbeat packets, transport switches, log records). Messages are
 * the data plane: `send`, `sendPrepared` and incoming messages touch only the
 * write buffer and the transport, never the machine or the recorder.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type WebSocket from 'ws';
import { MachineHost } from '../machines/host';
import { connectionMachine, type ConnectionEvent } from '../machines/connection';
import type { EffectHandlers } from '../machines/effects';
import type { LogEventInput } from '../log/events';
import type { EnginePacket } from './codec/packet';
import type { ResolvedEngineOptions } from './engine-options';
import type { PreparedMessage } from './prepared-message';
import type { OutgoingPacket, Transport, TransportClosed, TransportFailure, TransportName, TransportSink } from './transport';
import { clearDeadline, refreshDeadline, setDeadline, type DeadlineOwner } from './deadlines';
import { WebSocketTransport } from './websocket';
import { packetEventList, packetEvents } from './packet-events';

export type ReadyState = 'opening' | 'open' | 'closing' | 'closed';

/** The facts of a session's end, given with the `close` event's reason. */
export interface CloseDetails {
  initiator: 'client' | 'server';
  transport: TransportName;
  description?: string;
  wsCode?: number;
  wsReason?: string;
  lastPingAt?: number;
  lastPongAt?: number;
  size?: number;
  limit?: number;
}

export interface SendOptions {
  compress?: boolean;
}

/**
 * Where a session hands its messages and its end to the layer above (the
 * Socket.IO Client), as a transport reports to its `TransportSink`. Called
 * before the `message` and `close` events that engine.io's API gives user
 * listeners.
 */
export interface EngineSocketHandler {
  /** `data` is undefined for a message packet that carries none (`4`). */
  onMessage(data: string | Buffer | undefined): void;
  onClose(reason: string, details: CloseDetails): void;
}

/**
 * What a session needs from the server that accepted it (the EngineServer):
 * its settings, the upgrades it offers, a way to be forgotten when closed,
 * and engine.io's server-level `flush`/`drain` events.
 */
export interface EngineSocketHost {
  readonly settings: ResolvedEngineOptions;
  upgradesFor(transport: TransportName): string[];
  forget(socket: EngineSocket): void;
  listenerCount(event: string): number;
  emit(event: string, ...args: unknown[]): boolean;
}

export class EngineSocket extends EventEmitter implements DeadlineOwner {
  readonly remoteAddress: string;
  readyState: ReadyState = 'opening';
  upgraded = false;
  /** When the session entered its current state (ms since epoch). */
  since = Date.now();
  private readonly host: MachineHost<typeof connectionMachine>;
  private buffer: OutgoingPacket[] = [];
  /** What `buffer` holds, in bytes (see `maxBufferedBytes`). */
  private bufferedBytes = 0;
  private flushScheduled = false;
  private probe: WebSocketTransport | undefined;
  private probeAnswered = false;
  private handler: EngineSocketHandler | undefined;
  private closeOnNextPoll = false;
  // The heartbeat deadline, kept in a shared per-duration list (see deadlines.ts).
  deadlineDue = 0;
  deadlinePrev: DeadlineOwner | undefined;
  deadlineNext: DeadlineOwner | undefined;
  deadlineList: DeadlineOwner['deadlineList'];
  private upgradeTimer: NodeJS.Timeout | undefined;
  private closeTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    readonly server: EngineSocketHost,
    readonly protocol: 3 | 4,
    public transport: Transport,
    readonly request: IncomingMessage,
  ) {
    super();
    this.remoteAddress = request.socket?.remoteAddress ?? '';
    const settings = server.settings;
    transport.sink = this;
    this.host = new MachineHost(
      connectionMachine,
      EngineSocket.effects,
      {
        protocol,
        transport: transport.name,
        pingInterval: settings.pingInterval,
        pingTimeout: settings.pingTimeout,
        upgradeTimeout: settings.upgradeTimeout,
        closeTimeout: settings.pingInterval + settings.pingTimeout,
        upgrades: server.upgradesFor(transport.name),
        maxPayload: settings.maxHttpBufferSize,
      },
      this,
    );
    this.host.onTransition(onStateChange);
  }

  /** The machine's state, e.g. 'open.polling', 'open.upgrading', 'closed'. */
  get state(): string {
    return this.host.state;
  }

  get upgrading(): boolean {
    return this.host.state === 'open.upgrading';
  }

  get lastPingAt(): number | undefined {
    return this.host.currentContext.lastPingAt;
  }

  get lastPongAt(): number | undefined {
    return this.host.currentContext.lastPongAt;
  }

  /** Sets the layer above this session (the Socket.IO Client): it gets each message and the end first. */
  setHandler(handler: EngineSocketHandler): void {
    this.handler = handler;
  }

  /** Queues the open packet and opens the session (called by the server right after the handshake). */
  open(upgrades: string[]): void {
    const settings = this.server.settings;
    const handshake: Record<string, unknown> = { sid: this.id, upgrades, pingInterval: settings.pingInterval, pingTimeout: settings.pingTimeout };
    if (this.protocol === 4) handshake.maxPayload = settings.maxHttpBufferSize;
    this.buffer.unshift({ type: 'open', data: JSON.stringify(handshake) });
    this.dispatch({ type: 'OPENED' });
    this.scheduleFlush();
    this.emit('open');
  }

  // ---- data plane ---------------------------------------------------------

  send(data: string | Buffer, options?: SendOptions | (() => void), callback?: () => void): this {
    if (typeof options === 'function') {
      callback = options;
      options = undefined;
    }
    return this.sendPacket({ type: 'message', data, compress: options?.compress !== false, onSent: callback });
  }

  write(data: string | Buffer, options?: SendOptions | (() => void), callback?: () => void): this {
    return this.send(data, options, callback);
  }

  /** The packets waiting for the next flush (engine.io's `writeBuffer`): read it, never change it. */
  get writeBuffer(): readonly OutgoingPacket[] {
    return this.buffer;
  }

  /** Queues a broadcast message whose framings are shared with its other recipients. */
  sendPrepared(message: PreparedMessage, options?: SendOptions): void {
    this.sendPacket({ type: 'message', prepared: message, compress: options?.compress !== false });
  }

  private sendPacket(packet: OutgoingPacket): this {
    if (this.readyState === 'closing' || this.readyState === 'closed') return this;
    this.bufferedBytes += packet.prepared ? packet.prepared.size : (packet.data?.length ?? 0);
    if (this.bufferedBytes > this.server.settings.maxBufferedBytes) {
      const size = this.bufferedBytes;
      const limit = this.server.settings.maxBufferedBytes;
      this.onError({ message: 'send buffer over maxBufferedBytes: the client is not reading', initiator: 'server', size, limit });
      return this;
    }
    this.buffer.push(packet);
    if (this.listenerCount('packetCreate') !== 0) this.announceCreated(packet);
    this.scheduleFlush();
    return this;
  }

  /** `packetCreate` for each Engine.IO packet of a buffered item (engine.io's shape, built for listeners only). */
  private announceCreated(packet: OutgoingPacket): void {
    for (const event of packetEvents(packet)) this.emit('packetCreate', event);
  }

  /** Empties the session buffer, returning what it held. */
  private takeBuffer(): OutgoingPacket[] {
    const packets = this.buffer;
    this.buffer = [];
    this.bufferedBytes = 0;
    return packets;
  }

  /** Writes are batched per tick: everything sent in one tick leaves in one poll response or one corked write. */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    flushLater(this);
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.readyState === 'closed' || this.buffer.length === 0 || !this.transport.writable) return;
    this.writeBatch(this.takeBuffer());
  }

  /** Hands a batch to the transport between engine.io's `flush` and `drain` events (on the socket and on the server). */
  private writeBatch(packets: OutgoingPacket[]): void {
    const server = this.server;
    if (this.listenerCount('flush') !== 0 || server.listenerCount('flush') !== 0) {
      const events = packetEventList(packets);
      this.emit('flush', events);
      server.emit('flush', this, events);
    }
    this.transport.send(packets);
    this.emit('drain');
    if (server.listenerCount('drain') !== 0) server.emit('drain', this);
  }

  // ---- transport sink (incoming) --------------------------------------------

  onPacket(packet: EnginePacket): void {
    if (this.readyState !== 'open') return;
    // v3: any packet proves the client alive (engine.io 3 resets its timer on every packet).
    if (this.protocol === 3) refreshDeadline(this);
    this.emit('packet', packet);
    switch (packet.type) {
      case 'message':
        this.emit('data', packet.data);
        this.handler?.onMessage(packet.data);
        this.emit('message', packet.data);
        return;
      case 'ping':
        this.dispatch({ type: 'PING', at: Date.now() });
        if (this.readyState === 'open') this.emit('heartbeat');
        return;
      case 'pong':
        this.dispatch({ type: 'PONG', at: Date.now() });
        if (this.readyState === 'open') this.emit('heartbeat');
        return;
      case 'close':
        this.dispatch({ type: 'TRANSPORT_CLOSE', at: Date.now(), description: 'the client sent a close packet' });
        return;
    }
  }

  onParseError(message: string): void {
    this.dispatch({ type: 'PARSE_ERROR', at: Date.now(), message });
  }

  /** As engine.io does, a transport error ends the session; its message is the close event's description (no 'error' event). */
  onError(failure: TransportFailure): void {
    this.dispatch({ type: 'TRANSPORT_ERROR', at: Date.now(), ...failure });
  }

  onClose(closed: TransportClosed): void {
    this.dispatch({ type: 'TRANSPORT_CLOSE', at: Date.now(), ...closed });
  }

  /** A poll arrived: answer it with what is buffered, a close packet, or a noop during an upgrade. */
  onDrain(): void {
    if (this.readyState === 'closing') {
      if (this.closeOnNextPoll) this.sendCloseOnPoll();
      return;
    }
    if (this.buffer.length) this.scheduleFlush();
    else if (this.probeAnswered) this.transport.send([{ type: 'noop' }]);
  }

  // ---- lifecycle ------------------------------------------------------------

  /** Closes the session; buffered packets are written first unless `discard`. */
  close(discard?: boolean): this {
    this.dispatch({ type: 'CLOSE', at: Date.now(), discard: discard === true });
    return this;
  }

  /** Server shutdown: close without waiting for the client. */
  shutdown(): void {
    this.dispatch({ type: 'CLOSE', at: Date.now(), discard: true, reason: 'server shutting down' });
  }

  /** Whether a WebSocket may upgrade this session now. */
  canUpgrade(): boolean {
    return this.host.state === 'open.polling';
  }

  /** A WebSocket carrying this session's sid was accepted: probe it (the server checked `canUpgrade`). */
  startUpgrade(ws: WebSocket, supportsBinary: boolean): void {
    const settings = this.server.settings;
    const probe = new WebSocketTransport(
      ws,
      this.probeSink(),
      this.protocol,
      supportsBinary,
      settings.maxHttpBufferSize,
      settings.perMessageDeflate ? settings.perMessageDeflate.threshold : Infinity,
    );
    this.probe = probe;
    this.dispatch({ type: 'UPGRADE_START', at: Date.now() });
  }

  private probeSink(): TransportSink {
    const failed = (reason: string) => this.dispatch({ type: 'UPGRADE_FAILED', at: Date.now(), reason });
    return {
      onPacket: (packet) => {
        if (packet.type === 'ping' && packet.data === 'probe') this.dispatch({ type: 'PROBE', at: Date.now() });
        else if (packet.type === 'upgrade') this.dispatch({ type: 'UPGRADE', at: Date.now() });
        else failed(`unexpected ${packet.type} packet during upgrade`);
      },
      onParseError: (message) => failed(`parse error: ${message}`),
      onError: (failure) => failed(failure.message),
      onClose: () => failed('probe transport closed'),
      onDrain: () => {},
    };
  }

  private dispatch(event: ConnectionEvent): void {
    this.host.send(event);
  }

  /** The heartbeat deadline passed. */
  onDeadline(): void {
    this.dispatch({ type: 'HEARTBEAT_DUE', at: Date.now() });
  }

  /** One shared timer callback for the rare timers (no closure per timer). */
  private static onTimer(socket: EngineSocket, type: 'UPGRADE_TIMEOUT' | 'CLOSE_TIMEOUT'): void {
    socket.dispatch({ type, at: Date.now() });
  }

  /** Heartbeat packets are queued and flushed like any other write. */
  private queueControl(packet: EnginePacket): void {
    this.buffer.push(packet);
    if (this.listenerCount('packetCreate') !== 0) this.announceCreated(packet);
    this.scheduleFlush();
  }

  /** Drops the WebSocket being probed, if any (an upgrade that failed, or a session that ended). */
  private dropProbe(): void {
    const probe = this.probe;
    this.probe = undefined;
    this.probeAnswered = false;
    if (!probe) return;
    probe.sink = ignoringSink;
    probe.shutdown();
  }

  /**
   * Polling close: the pending poll (if any) gets the buffered packets, or,
   * once none are left, the close packet. Never both in one response, as in
   * engine.io: socket.io-client 4 hands a response's Socket.IO packets over a
   * tick late, so the close would overtake them (a DISCONNECT sent with it
   * would arrive after the `transport close` it caused).
   */
  private sendCloseOnPoll(): void {
    this.closeOnNextPoll = false;
    if (this.transport.writable) {
      const packets = this.takeBuffer();
      if (packets.length) {
        this.writeBatch(packets);
        this.closeOnNextPoll = true;
        return;
      }
      this.transport.send([CLOSE_PACKET]);
    }
    this.dispatch({ type: 'TRANSPORT_CLOSED', at: Date.now() });
  }

  /** The connection machine's effects (src/machines/effects.ts), shared by every session; `this` is the session. */
  private static readonly effects: EffectHandlers<typeof connectionMachine, EngineSocket> = {
    armHeartbeat({ ms }) {
      setDeadline(this, ms);
    },
    armUpgradeTimer({ ms }) {
      clearTimeout(this.upgradeTimer);
      this.upgradeTimer = setTimeout(EngineSocket.onTimer, ms, this, 'UPGRADE_TIMEOUT');
    },
    armCloseTimer({ ms }) {
      clearTimeout(this.closeTimer);
      this.closeTimer = setTimeout(EngineSocket.onTimer, ms, this, 'CLOSE_TIMEOUT');
    },
    clearUpgradeTimer() {
      clearTimeout(this.upgradeTimer);
      this.upgradeTimer = undefined;
    },
    clearTimers() {
      clearDeadline(this);
      clearTimeout(this.upgradeTimer);
      clearTimeout(this.closeTimer);
      this.upgradeTimer = this.closeTimer = undefined;
    },
    sendPing() {
      this.queueControl(PING_PACKET);
    },
    sendPong() {
      this.queueControl(PONG_PACKET);
    },
    answerProbe() {
      const probe = this.probe;
      if (!probe) return;
      probe.send([{ type: 'pong', data: 'probe' }]);
      this.probeAnswered = true;
      // Release the pending poll so the client can pause polling and send the upgrade packet.
      if (this.transport.writable && this.buffer.length === 0) this.transport.send([{ type: 'noop' }]);
      this.emit('upgrading', probe);
    },
    completeUpgrade() {
      const probe = this.probe;
      if (!probe) return;
      const polling = this.transport;
      this.probe = undefined;
      this.probeAnswered = false;
      if (polling.writable) polling.send([{ type: 'noop' }]);
      polling.sink = ignoringSink;
      probe.sink = this;
      this.transport = probe;
      this.upgraded = true;
      this.emit('upgrade', probe);
      this.flush();
    },
    abortUpgrade() {
      this.dropProbe();
    },
    closeTransport({ discard }) {
      const transport = this.transport;
      if (discard) this.takeBuffer();
      if (transport.name === 'websocket') {
        // Everything buffered goes out before the close frame, even to a backed-up socket.
        const packets = this.takeBuffer();
        if (packets.length) this.writeBatch(packets);
        transport.shutdown();
        // Discarding does not wait for the client's close frame.
        if (discard) this.dispatch({ type: 'TRANSPORT_CLOSED', at: Date.now() });
        return;
      }
      if (discard || transport.writable) {
        this.sendCloseOnPoll();
        return;
      }
      this.closeOnNextPoll = true;
    },
    finish(end) {
      this.takeBuffer();
      const transport = this.transport;
      transport.sink = ignoringSink;
      if (end.reason === 'ping timeout' && transport instanceof WebSocketTransport) transport.terminate();
      else transport.shutdown();
      this.dropProbe();
      this.server.forget(this);
      const { reason, ...details } = end;
      this.handler?.onClose(reason, details as CloseDetails);
      this.emit('close', reason, details as CloseDetails);
    },
    record(params) {
      // The machine's records carry settings; the facts of this session are stamped here.
      const stamped = params.type === 'conn.open' ? { sid: this.id, ...params, remoteAddress: this.remoteAddress } : { sid: this.id, ...params };
      this.server.settings.recorder.record(stamped as LogEventInput);
    },
  };
}

const PING_PACKET: EnginePacket = { type: 'ping' };
const PONG_PACKET: EnginePacket = { type: 'pong' };
const CLOSE_PACKET: EnginePacket = { type: 'close' };

const ignoringSink: TransportSink = { onPacket() {}, onParseError() {}, onError() {}, onClose() {}, onDrain() {} };

function onStateChange(this: EngineSocket, snapshot: { value: unknown }): void {
  this.since = Date.now();
  this.readyState = readyStateOf(snapshot.value);
}

function readyStateOf(value: unknown): ReadyState {
  if (value === 'handshaking') return 'opening';
  if (value === 'closing') return 'closing';
  if (value === 'closed') return 'closed';
  return 'open';
}

/**
 * Sockets with writes pending, flushed together on the next tick: one
 * scheduled callback per tick for the whole server rather than per socket
 * (a broadcast touches thousands of sockets in one tick).
 */
let toFlush: EngineSocket[] = [];
let flushQueued = false;

function flushLater(socket: EngineSocket): void {
  toFlush.push(socket);
  if (flushQueued) return;
  flushQueued = true;
  process.nextTick(flushPending);
}

function flushPending(): void {
  while (toFlush.length) {
    const batch = toFlush;
    toFlush = [];
    for (const socket of batch) socket.flush();
  }
  flushQueued = false;
}
