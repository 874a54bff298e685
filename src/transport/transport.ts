/**
 * What the two transports (polling, websocket) share: the packets they are
 * handed, and the sink they report to (the session, or an upgrade probe).
 */
import type { EnginePacket } from './codec/packet';
import type { PreparedMessage } from './prepared-message';

export type TransportName = 'polling' | 'websocket';

/**
 * One item of a session's write buffer: a packet, or a prepared broadcast
 * message (`prepared` set, shared by all its recipients).
 */
export interface OutgoingPacket extends EnginePacket {
  prepared?: PreparedMessage;
  /** false when the sender asked not to compress (per-message deflate, HTTP compression). */
  compress?: boolean;
  /** Called once the packet was handed to the network. */
  onSent?: () => void;
}

export interface TransportFailure {
  message: string;
  /** 'server' when the server refused the input (size limit, protocol violation). */
  initiator?: 'client' | 'server';
  wsCode?: number;
  wsReason?: string;
  size?: number;
  limit?: number;
}

export interface TransportClosed {
  wsCode?: number;
  wsReason?: string;
  description?: string;
}

/** Where a transport reports what it read and how it ended. */
export interface TransportSink {
  onPacket(packet: EnginePacket): void;
  onParseError(message: string): void;
  onError(failure: TransportFailure): void;
  onClose(closed: TransportClosed): void;
  /** The transport can take writes again (polling: a GET arrived; websocket: a backed-up socket drained). */
  onDrain(): void;
}

export interface Transport {
  readonly name: TransportName;
  /** Whether a write would reach the client now (polling: a GET is pending; websocket: open and not backed up). */
  readonly writable: boolean;
  sink: TransportSink;
  send(packets: OutgoingPacket[]): void;
  /** Ends the transport at session end: a pending poll gets the close packet, a WebSocket a close frame. */
  shutdown(): void;
}
