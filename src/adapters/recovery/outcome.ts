/** What a recovery attempt comes to: the state given back, or the reason it could not be. */
import type { z } from 'zod';
import type { recoveryFailure } from '../../log/events';

export type RecoveryFailure = z.infer<typeof recoveryFailure>;

/** Why a client did not get its socket back; the fields of the `socket.recovery` record. */
export interface Refusal {
  readonly reason: RecoveryFailure;
  /** The socket it asked to be again, when its session is known. */
  readonly socketId?: string;
  readonly expiredByMs?: number;
  readonly detail?: string;
}

/** A socket's state, given back to the client that held it. */
export interface Restored {
  readonly socketId: string;
  readonly pid: string;
  readonly rooms: readonly string[];
  readonly data: unknown;
  /** The data of each missed packet, oldest first, each ending with its offset. */
  readonly packets: ReadonlyArray<readonly unknown[]>;
  readonly awayMs: number;
}

/** Disconnect reasons after which a socket may come back (as socket.io 4, less "server shutting down": the state goes with the server). */
export const RECOVERABLE_REASONS: ReadonlySet<string> = new Set(['transport error', 'transport close', 'forced close', 'ping timeout', 'forced server close']);

/** What a node the client came back to hears from the node that held its session. */
export type RemoteRecovery = { readonly ok: true; readonly handed: HandedSession; readonly from: number } | ({ readonly ok: false } & Refusal);

/** A missed packet as one node hands it to another: its data without the offset, and its cluster id. */
export interface HandedPacket {
  readonly data: readonly unknown[];
  readonly id?: string;
}

/** A session handed from the node that held it to the node the client came back to. */
export interface HandedSession {
  readonly socketId: string;
  readonly rooms: readonly string[];
  readonly data: unknown;
  readonly awayMs: number;
  readonly packets: readonly HandedPacket[];
}

/** What else a kept broadcast names: its id across the cluster, and the socket that sent it (`BroadcastOptions.sender`). */
export interface KeptBroadcast {
  id?: string;
  sender?: string;
}
