/**
 * Connection state recovery in words: what a `socket.recovery` record says
 * happened, and what each reason a client did not get its socket back means,
 * for replay, the inspector and the timeline.
 */
import type { LogEventOf } from './events';

/** What each reason means, and what to look at. */
const MEANINGS: Record<NonNullable<LogEventOf<'socket.recovery'>['reason']>, string> = {
  'unknown session': 'the server holds no session with that pid (never given, already recovered, or ended long ago)',
  'session ended': 'its socket had left in a way that ends a session (a disconnect by the client or the application)',
  'still connected': 'the server had not yet noticed its earlier connection was gone',
  'window expired': 'it was away longer than maxDisconnectionDuration, or missed a packet older than that',
  'buffer bound reached': 'a packet it missed left the store at maxPackets or maxBytes before it came back',
  'unknown offset': 'the offset it sent was not given by this namespace',
  'refused by a middleware': 'skipMiddlewares is false and a namespace middleware refused it',
  'another namespace': 'the pid belongs to a socket of another namespace',
  'node holding the state lost': 'the cluster node that held its state is down or did not answer',
};

export function describeRecovery(event: LogEventOf<'socket.recovery'>): string {
  const socket = event.socketId ? `socket ${event.socketId}` : 'a socket';
  if (event.recovered) {
    return `${socket} recovered on ${event.nsp}: ${event.packets ?? 0} missed packet(s) replayed after ${seconds(event.awayMs ?? 0)} away`;
  }
  return `${socket} not recovered on ${event.nsp}: ${recoveryReason(event)}`;
}

/** "window expired by 2.5 s (away longer than …)": the reason, its size, the evidence. */
export function recoveryReason(event: LogEventOf<'socket.recovery'>): string {
  if (!event.reason) return 'no reason recorded';
  const by = event.expiredByMs !== undefined ? ` by ${seconds(event.expiredByMs)}` : '';
  return `${event.reason}${by}: ${event.detail ?? MEANINGS[event.reason]}`;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
