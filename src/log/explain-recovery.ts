/**
 * Connection state recovery in words: what a `socket.recovery` record says
 * happened, and what each reason a client did not get its socket back means,
 * for replay, the inspector and the timeline.
 */
import { clock } from './clock';
import type { LogEventOf } from './events';
import type { RecoveryNote } from './projections/recovery-notes';

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

/**
 * A socket's recovery attempts in one sentence each, e.g. "recovered at
 * 12:00:05.120 on connection X after 2.1 s away, 25 missed packet(s)
 * replayed" or "not recovered at …: window expired by 3.0 s: …".
 */
export function explainRecoveryNotes(notes: readonly RecoveryNote[]): string | undefined {
  if (notes.length === 0) return undefined;
  return notes.map(explainNote).join('; ');
}

function explainNote(note: RecoveryNote): string {
  const where = `at ${clock(note.at)} on connection ${note.sid}`;
  if (note.recovered) return `recovered ${where} after ${seconds(note.awayMs ?? 0)} away, ${note.packets ?? 0} missed packet(s) replayed`;
  const instead = note.insteadOf ? ` (a new socket instead of ${note.insteadOf})` : ' (a new socket instead)';
  const reason = note.reason ? reasonText(note.reason, note.expiredByMs, note.detail) : 'no reason recorded';
  return `not recovered ${where}${instead}: ${reason}`;
}

export function describeRecovery(event: LogEventOf<'socket.recovery'>): string {
  const socket = event.socketId ? `socket ${event.socketId}` : 'a socket';
  if (event.recovered) {
    return `${socket} recovered on ${event.nsp}: ${event.packets ?? 0} missed packet(s) replayed after ${seconds(event.awayMs ?? 0)} away`;
  }
  return `${socket} not recovered on ${event.nsp}: ${recoveryReason(event)}`;
}

/** "window expired by 2.5 s (away longer than …)": the reason, its size, the evidence. */
export function recoveryReason(event: LogEventOf<'socket.recovery'>): string {
  return event.reason ? reasonText(event.reason, event.expiredByMs, event.detail) : 'no reason recorded';
}

function reasonText(reason: NonNullable<RecoveryNote['reason']>, expiredByMs: number | undefined, detail: string | undefined): string {
  const by = expiredByMs !== undefined ? ` by ${seconds(expiredByMs)}` : '';
  return `${reason}${by}: ${detail ?? MEANINGS[reason]}`;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
