/**
 * A session's WebSocket (from `ws`, or any wsEngine with its interface).
 * Text packets travel as text frames; binary ones as binary frames (v3
 * prefixes the packet type byte, v4 sends the data as is), or as base64
 * text when the client asked for `b64`.
 *
 * A session's writes of one tick arrive as one batch, corked into one
 * syscall. Frames are built here (ws-frame.ts; broadcasts' once, in their
 * PreparedMessage) and handed to ws's sender as bytes when ws would not
 * compress them anyway and its sender is idle (nothing queued behind a
 * deflate), so ordering is preserved; otherwise they go through `ws.send`.
 */
import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import type { EnginePacket } from './codec/packet';
import * as v3 from './codec/v3';
import * as v4 from './codec/v4';
import type { PreparedFrame } from './prepared-message';
import { wsFrame } from './ws-frame';
import type { OutgoingPacket, Transport, TransportSink } from './transport';

const OPEN = 1;
const MAX_PAYLOAD_ERROR = 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';

interface WsInternals {
  _socket?: Socket;
  _sender?: { _state?: number; _queue?: unknown[]; sendFrame?(list: Buffer[], cb?: (err?: Error) => void): void };
  _receiver?: { _payloadLength?: number; _totalPayloadLength?: number };
}

/** The transport a ws instance belongs to, so its listeners can be shared functions (no closures per connection). */
const kTransport = Symbol('iostate.transport');
type TransportOwned = WebSocket & { [kTransport]: WebSocketTransport };

function onWsMessage(this: WebSocket, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
  (this as TransportOwned)[kTransport].onMessage(data, isBinary);
}

function onWsError(this: WebSocket, err: Error): void {
  (this as TransportOwned)[kTransport].failure ??= err;
}

function onWsClose(this: WebSocket, code: number, reason: Buffer): void {
  (this as TransportOwned)[kTransport].onClose(code, reason);
}

export class WebSocketTransport implements Transport {
  readonly name = 'websocket' as const;
  /** The first error ws reported; it explains the close that follows. */
  failure: Error | undefined;
  private readonly deflate: boolean;
  private awaitingDrain = false;

  constructor(
    private readonly ws: WebSocket,
    public sink: TransportSink,
    readonly protocol: 3 | 4,
    readonly supportsBinary: boolean,
    private readonly maxPayload: number,
    /** Messages below this many bytes are never compressed (perMessageDeflate.threshold). */
    private readonly deflateThreshold: number,
  ) {
    this.deflate = typeof ws.extensions === 'string' && ws.extensions.includes('permessage-deflate');
    (ws as TransportOwned)[kTransport] = this;
    ws.on('message', onWsMessage);
    ws.on('error', onWsError);
    ws.on('close', onWsClose);
  }

  /**
   * Open and not backed up: while the socket's buffer is over its high-water
   * mark, writes wait in the session's buffer (and volatile messages are
   * dropped), until the socket drains.
   */
  get writable(): boolean {
    return this.ws.readyState === OPEN && !(this.ws as unknown as WsInternals)._socket?.writableNeedDrain;
  }

  onMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    const frame = isBinary ? buffer : buffer.toString('utf8');
    const decoded = this.protocol === 4 ? v4.decodePacket(frame) : v3.decodePacket(frame);
    if (decoded.ok) this.sink.onPacket(decoded.value);
    else this.sink.onParseError(decoded.error);
  }

  onClose(code: number, reasonBytes: Buffer): void {
    const wsReason = reasonBytes.length ? reasonBytes.toString('utf8') : undefined;
    const err = this.failure as (Error & { code?: string }) | undefined;
    if (!err) return this.sink.onClose({ wsCode: code, wsReason });
    // A protocol error: ws closed with the code it sent (e.g. 1009), which says more than the local 1006.
    const wsCode = sentStatusCode(err) ?? code;
    if (err.code === MAX_PAYLOAD_ERROR) {
      const receiver = (this.ws as unknown as WsInternals)._receiver;
      const size = receiver?._totalPayloadLength || receiver?._payloadLength || undefined;
      return this.sink.onError({ message: `payload too large: ${err.message}`, initiator: 'server', wsCode, wsReason, size, limit: this.maxPayload });
    }
    this.sink.onError({ message: err.message, wsCode, wsReason });
  }

  /** Writes a batch (everything a session sent in one tick) corked into one syscall. */
  send(packets: OutgoingPacket[]): void {
    if (this.ws.readyState !== OPEN) return;
    const socket = (this.ws as unknown as WsInternals)._socket;
    socket?.cork();
    try {
      for (const packet of packets) {
        if (packet.prepared) {
          const frames = packet.prepared.wsFrames(this.protocol, this.supportsBinary);
          for (let i = 0; i < frames.length; i++) this.writePrepared(frames[i], packet.compress !== false, i === frames.length - 1 ? packet.onSent : undefined);
        } else this.writePacket(packet);
      }
    } finally {
      socket?.uncork();
    }
    if (socket?.writableNeedDrain && !this.awaitingDrain) {
      this.awaitingDrain = true;
      socket.once('drain', () => {
        this.awaitingDrain = false;
        this.sink.onDrain();
      });
    }
  }

  private writePacket(packet: OutgoingPacket): void {
    const data =
      this.protocol === 4 ? v4.encodePacket(packet as EnginePacket, this.supportsBinary) : v3.encodePacket(packet as EnginePacket, this.supportsBinary);
    const binary = typeof data !== 'string';
    const compress = packet.compress !== false;
    const onSent = packet.onSent;
    // ws decides on compression itself; frames of our own are for what goes out as is.
    if (this.deflate && compress) this.ws.send(data, { binary, compress }, onSent && (() => onSent()));
    else this.writePrepared({ data, binary, ...wsFrame(data, binary) }, compress, onSent);
  }

  private writePrepared(frame: PreparedFrame, compress: boolean, onSent: (() => void) | undefined): void {
    const sender = (this.ws as unknown as WsInternals)._sender;
    const wouldCompress = this.deflate && compress && frame.payloadBytes >= this.deflateThreshold;
    if (!wouldCompress && sender?.sendFrame && sender._state === 0 && sender._queue?.length === 0) {
      sender.sendFrame(frame.buffers, onSent && (() => onSent()));
    } else {
      this.ws.send(frame.data, { binary: frame.binary, compress }, onSent && (() => onSent()));
    }
  }

  /** Closes with a close frame; the `close` event follows when the client answers (ws bounds the wait). */
  shutdown(): void {
    if (this.ws.readyState <= OPEN) this.ws.close();
  }

  /** Drops the connection without a close handshake (a failed upgrade probe). */
  terminate(): void {
    this.ws.terminate();
  }
}

/** The close code ws attached to a receiver error (under its 'status-code' symbol). */
function sentStatusCode(err: Error): number | undefined {
  const key = Object.getOwnPropertySymbols(err).find((symbol) => symbol.description === 'status-code');
  const value = key && (err as unknown as Record<symbol, unknown>)[key];
  return typeof value === 'number' ? value : undefined;
}
