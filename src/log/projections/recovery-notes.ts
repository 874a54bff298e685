/**
 * What the sessions projection keeps of connection state recovery: on each
 * socket, the attempts that concern it. A recovered socket keeps one record
 * across its connections (one life with a gap); a failed attempt is noted on
 * the socket that was not given back (when the session was known) and on
 * the new socket the client got instead.
 */
import type { LogEventOf } from '../events';

export interface RecoveryNote {
  at: number;
  /** The connection the client came back on. */
  sid: string;
  recovered: boolean;
  packets?: number;
  awayMs?: number;
  reason?: LogEventOf<'socket.recovery'>['reason'];
  expiredByMs?: number;
  detail?: string;
  /** On a new socket: the socket it asked to be again, when known. */
  insteadOf?: string;
}

/** The latest attempts a socket keeps. */
const MAX_NOTES = 10;

export function noteOf(event: LogEventOf<'socket.recovery'>): RecoveryNote {
  const note: RecoveryNote = { at: event.ts, sid: event.sid, recovered: event.recovered };
  if (event.packets !== undefined) note.packets = event.packets;
  if (event.awayMs !== undefined) note.awayMs = event.awayMs;
  if (event.reason !== undefined) note.reason = event.reason;
  if (event.expiredByMs !== undefined) note.expiredByMs = event.expiredByMs;
  if (event.detail !== undefined) note.detail = event.detail;
  return note;
}

export function addNote(holder: { recovery?: RecoveryNote[] }, note: RecoveryNote): void {
  const notes = (holder.recovery ??= []);
  notes.push(note);
  if (notes.length > MAX_NOTES) notes.shift();
}

/** A socket's time away: from each disconnect that a recovery followed to that recovery. */
export interface Gap {
  from: number;
  to: number;
}
