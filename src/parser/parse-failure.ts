/**
 * How the decoder tells a failure: `error` says exactly what was wrong (the
 * log keeps it), `wording` is how socket.io-parser words that kind of
 * failure, which is what apps see on their sockets' 'error' event (socket.io
 * 2.5.1's parser and socket.io 4's use the same words).
 */
import type { Packet } from './packet';

export const WORDING = {
  illegalAttachments: 'Illegal attachments',
  tooManyAttachments: 'too many attachments',
  /** When a placeholder names an attachment that does not exist. */
  illegalPlaceholder: 'illegal attachments',
  invalidPayload: 'invalid payload',
  unknownType: 'unknown packet type',
  textWhileReconstructing: 'got plaintext data when reconstructing a packet',
  binaryWhileNotReconstructing: 'got binary data when not reconstructing a packet',
  unknownChunk: 'Unknown type',
} as const;

export type Wording = (typeof WORDING)[keyof typeof WORDING];

export interface ParseFailure {
  ok: false;
  error: string;
  wording: Wording;
}

/** What a packet decoder returns for one message; a custom parser's own failures carry no `wording` (their message is theirs). */
export type DecodedPacket = { ok: true; value: Packet | undefined } | { ok: false; error: string; wording?: Wording };

export function parseFailure(wording: Wording, error: string): ParseFailure {
  return { ok: false, error, wording };
}
