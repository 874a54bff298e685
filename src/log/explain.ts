/**
 * Disconnect explanations: the exact reason the live server gave, followed by
 * the evidence the log holds for it, e.g.
 *   "ping timeout: last pong 12:00:05.120, ping sent 12:00:30.125, no pong within pingTimeout 20000 ms"
 * They read only projection records, so the inspector can explain a live
 * session with the same words replay prints. Times are UTC (see clock.ts).
 */
import { clock } from './clock';
import { explainRecoveryNotes } from './explain-recovery';
import type { LostRecord, SessionCloseRecord, SessionRecord, SocketRecord, TransportErrorRecord } from './projections/sessions';

/** Meanings of the WebSocket close codes a Socket.IO connection meets (RFC 6455 §7.4.1). */
const WS_CLOSE_CODES: Record<number, string> = {
  1000: 'normal closure',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1005: 'no status code',
  1006: 'abnormal closure, no close frame',
  1007: 'invalid payload data',
  1008: 'policy violation',
  1009: 'message too big',
  1010: 'mandatory extension',
  1011: 'internal error',
};

/** Reasons that are a choice of one side rather than a failure. */
const CHOSEN_ENDS = new Set([
  'transport close',
  'forced close',
  'server shutting down',
  'client namespace disconnect',
  'server namespace disconnect',
  'forced server close',
]);

/**
 * Whether an end was trouble (a timeout, an error, a lost node) rather than
 * someone's choice. A "transport close" is a choice when the client said
 * goodbye (a close packet, or a WebSocket close frame: 1000, 1001, 1005…) and
 * trouble when the connection just broke: code 1006, no close frame, is a
 * killed client, a dead network or a proxy that dropped it.
 */
export function endedAbnormally(reason: string, wsCode?: number): boolean {
  if (reason === 'transport close') return wsCode === 1006;
  return !CHOSEN_ENDS.has(reason);
}

/** A connection's end, or undefined while it is open: the same words as its explanation, and whether it was trouble. */
export function connectionEnd(session: SessionRecord): { reason: string; abnormal: boolean } | undefined {
  // Lost with a node that went down or restarted is trouble; out of sight after a leave is nobody's.
  if (session.lost) return session.status === 'left' ? { reason: 'left', abnormal: false } : { reason: 'lost', abnormal: true };
  if (!session.close) return undefined;
  return { reason: session.close.reason, abnormal: endedAbnormally(session.close.reason, session.close.wsCode) };
}

/** Engine reasons a socket inherits when its connection closes. */
const CONNECTION_REASONS = new Set(['transport close', 'transport error', 'ping timeout', 'forced close', 'parse error', 'server shutting down']);

/**
 * Why a connection ended, or undefined while it is open. `sockets` (the
 * sockets that ran on it) add evidence to a forced close.
 */
export function explainConnection(session: SessionRecord, sockets: readonly SocketRecord[] = []): string | undefined {
  if (session.lost) return lostExplanation(session.lost, 'close');
  if (!session.close) return undefined;
  return `${session.close.reason}: ${connectionEvidence(session, session.close, sockets)}`;
}

/**
 * Why a socket left its namespace (undefined while it is connected), then
 * what came of its connection state recovery, if anything. `session` is the
 * connection it ran on.
 */
export function explainSocket(socket: SocketRecord, session?: SessionRecord): string | undefined {
  const ending = explainEnding(socket, session);
  const recovery = socket.recovery ? explainRecoveryNotes(socket.recovery) : undefined;
  return ending !== undefined && recovery !== undefined ? `${ending}; ${recovery}` : (ending ?? recovery);
}

function explainEnding(socket: SocketRecord, session?: SessionRecord): string | undefined {
  if (socket.lost) return lostExplanation(socket.lost, 'disconnect');
  const disconnect = socket.disconnect;
  if (!disconnect) return undefined;
  const { reason } = disconnect;
  switch (reason) {
    case 'client namespace disconnect':
      return `${reason}: the client left namespace ${socket.nsp} (socket.disconnect() on the client)`;
    case 'server namespace disconnect':
      return disconnect.initiator === 'application'
        ? `${reason}: socket.disconnect() called by the application`
        : `${reason}: the server disconnected the socket from namespace ${socket.nsp}`;
    case 'forced server close':
      return `${reason}: the server closed connection ${socket.sid} (socket.disconnect(true) or a server-side close)`;
    default:
      break;
  }
  if (!CONNECTION_REASONS.has(reason)) return `${reason}: disconnected by the ${disconnect.initiator}`;
  if (reason === 'server shutting down') return `${reason}: io.close() called`;
  if (!session?.close) return `${reason}: no close of connection ${socket.sid} was recorded`;
  const evidence = connectionEvidence(session, session.close, []);
  return session.close.reason === reason
    ? `${reason}: ${evidence} (connection ${session.sid})`
    : `${reason}: connection ${session.sid} closed with "${session.close.reason}": ${evidence}`;
}

function lostExplanation(lost: LostRecord, what: 'close' | 'disconnect'): string {
  const at = clock(lost.at);
  switch (lost.cause) {
    case 'node down':
      return `no ${what} recorded: node ${lost.node} went down at ${at}`;
    case 'node restart':
      return `no ${what} recorded: node ${lost.node} restarted at ${at}`;
    case 'node left':
      return `no ${what} recorded: node ${lost.node} left the cluster at ${at}; it went on there, out of this cluster's sight`;
    case 'this node left':
      return `no ${what} recorded: this node left the cluster of node ${lost.node} at ${at}; it went on there, out of sight`;
  }
}

function connectionEvidence(session: SessionRecord, close: SessionCloseRecord, sockets: readonly SocketRecord[]): string {
  switch (close.reason) {
    case 'transport close':
      return transportCloseEvidence(close);
    case 'transport error':
      return transportErrorEvidence(session, close);
    case 'ping timeout':
      return pingTimeoutEvidence(session, close);
    case 'forced close':
      return forcedCloseEvidence(session, close, sockets);
    case 'parse error': {
      const detail = (latestError(session, close)?.message ?? close.description)?.replace(/^parse error:\s*/, '');
      return `the client sent a packet that could not be decoded${detail ? ` (${detail})` : ''}`;
    }
    case 'server shutting down':
      return `io.close() called`;
    default:
      return close.description ?? `closed by the ${close.initiator}, no further evidence recorded`;
  }
}

function wsCloseFrame(close: SessionCloseRecord): string {
  if (close.wsCode === undefined) return '';
  const meaning = WS_CLOSE_CODES[close.wsCode];
  const reason = close.wsReason ? ` and reason "${close.wsReason}"` : '';
  return ` with code ${close.wsCode}${meaning ? ` (${meaning})` : ''}${reason}`;
}

function transportCloseEvidence(close: SessionCloseRecord): string {
  const description = close.description ? `: ${close.description}` : '';
  return `${close.transport} closed by the ${close.initiator}${wsCloseFrame(close)}${description}`;
}

function latestError(session: SessionRecord, close: SessionCloseRecord): TransportErrorRecord | undefined {
  for (let i = session.errors.length - 1; i >= 0; i--) {
    const error = session.errors[i]!;
    if (error.at <= close.at) return error;
  }
  return undefined;
}

function transportErrorEvidence(session: SessionRecord, close: SessionCloseRecord): string {
  const error = latestError(session, close);
  const frame = wsCloseFrame(close);
  if (!error) return `${close.description ?? `${close.transport} failed, no error recorded`}${frame}`;
  if (error.limit !== undefined) {
    // A compressed WebSocket frame can be small on the wire and over the limit once inflated: then only the limit is evidence.
    const size = error.size !== undefined && error.size > error.limit ? `message of ${error.size} bytes exceeds` : 'message over';
    return `${size} maxHttpBufferSize ${error.limit}${frame}`;
  }
  return `${error.transport} error: ${error.message}${frame}`;
}

function pingTimeoutEvidence(session: SessionRecord, close: SessionCloseRecord): string {
  const { heartbeat, settings } = session;
  if (session.protocol === 3) {
    // Engine.IO v3: the client pings; the server gives up after pingInterval + pingTimeout of silence.
    const lastPing = close.lastPingAt ?? heartbeat.lastPingReceivedAt;
    const since =
      lastPing !== undefined
        ? `last ping from the client ${clock(lastPing)}`
        : `no ping from the client since the connection opened at ${clock(session.openedAt)}`;
    return `${since}, none within pingInterval + pingTimeout ${settings.pingInterval + settings.pingTimeout} ms`;
  }
  const lastPong = close.lastPongAt ?? heartbeat.lastPongReceivedAt;
  const lastPing = close.lastPingAt ?? heartbeat.lastPingSentAt;
  const pong = lastPong !== undefined ? `last pong ${clock(lastPong)}` : `no pong since the connection opened at ${clock(session.openedAt)}`;
  const ping = lastPing !== undefined ? `ping sent ${clock(lastPing)}` : 'no ping sent recorded';
  return `${pong}, ${ping}, no pong within pingTimeout ${settings.pingTimeout} ms`;
}

/**
 * A forced close is the server's own decision; the evidence is what led to it:
 * an application's disconnect(true), or an error the server answered by
 * closing (a packet that could not be decoded). Every recorded transport
 * error ends its connection, so the latest one is the cause.
 */
function forcedCloseEvidence(session: SessionRecord, close: SessionCloseRecord, sockets: readonly SocketRecord[]): string {
  const kicked = sockets.filter(
    (s) => s.disconnect?.reason === 'server namespace disconnect' && s.disconnect.initiator === 'application' && s.disconnect.at <= close.at,
  );
  const error = latestError(session, close);
  const after =
    kicked.length > 0
      ? ` after socket.disconnect(true) on ${kicked.map((s) => s.nsp).join(', ')}`
      : error
        ? ` after an error on ${error.transport}: ${error.message}`
        : '';
  const description = close.description ? `: ${close.description}` : '';
  return `the server closed the connection${after}${description}`;
}
