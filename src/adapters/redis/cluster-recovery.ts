/**
 * Connection state recovery across the nodes of an iostate/redis cluster.
 *
 * The state stays where the socket ran: that node's recovery store keeps the
 * packets it broadcast or received (as it does on one node) and the session.
 * Redis only says where it is: when a session goes away, its node sets
 * `<key>-recovery#<nsp>#<hash of the pid>` to its name, with the window as
 * TTL, and deletes it when the session comes back or ends. A client that
 * comes back to another node: that node reads the key, asks the holder over
 * the namespace's request channel (request type RECOVER_SESSION, which
 * socket.io 4 nodes ignore), and gets the session (id, rooms, data) with the
 * packets it missed, each with its cluster id (the publishing adapter's uid
 * and number, carried in the broadcast's options). The packets it took in
 * itself since it sent the request are added after them, less those ids:
 * whatever the holder had not seen yet when it answered, nothing twice.
 *
 * Cost: nothing per broadcast in Redis beyond the id in its options; one SET
 * per socket that goes away, one DEL when it is back or over; a recovery on
 * another node costs one GET and one request and answer.
 */
import { createHash } from 'node:crypto';
import type { ClusterHooks, RecoveryStore } from '../recovery/store';
import type { HandedPacket, HandedSession, RecoveryFailure, RemoteRecovery } from '../recovery/outcome';
import { recoveryFailure } from '../../log/events';
import { isRecord, stringList } from './wire';

/** An iostate-only request type, out of socket.io 4's range (they ignore unknown types). */
export const RECOVER_SESSION = 100;

/** What the cluster recovery needs of its adapter. */
export interface ClusterRecoveryHost {
  readonly redis: {
    set(key: string, value: string, px: 'PX', ms: number): Promise<unknown>;
    del(key: string): Promise<unknown>;
    get(key: string): Promise<string | null>;
  };
  readonly nodeName: string;
  /** The live nodes serving the namespace. */
  liveNodes(): string[];
  /** Publishes a request and resolves with the first answer; rejects after the requests timeout. */
  requestOne(label: string, body: Record<string, unknown>): Promise<Record<string, unknown>>;
  reply(body: Record<string, unknown>): void;
  reportError(error: Error): void;
}

export class ClusterRecovery implements ClusterHooks {
  constructor(
    private readonly host: ClusterRecoveryHost,
    private readonly store: RecoveryStore,
    private readonly keyPrefix: string,
    private readonly windowMs: number,
  ) {
    store.cluster = this;
  }

  away(pid: string): void {
    // At least 1 ms: PX 0 is an error.
    this.host.redis
      .set(this.keyOf(pid), this.host.nodeName, 'PX', Math.max(1, this.windowMs))
      .catch((error: Error) => this.report('cannot record where a session is held', error));
  }

  back(pid: string): void {
    this.host.redis.del(this.keyOf(pid)).catch((error: Error) => this.report('cannot forget where a session was held', error));
  }

  /** A client came back here with a pid this node does not hold: asks the node that holds it. */
  async recover(pid: string, offset: unknown): Promise<RemoteRecovery> {
    const holder = await this.host.redis.get(this.keyOf(pid)).catch((error: Error) => {
      this.report('cannot look up where a session is held', error);
      return null;
    });
    if (holder === null || holder === this.host.nodeName) return { ok: false, reason: 'unknown session' };
    if (!this.host.liveNodes().includes(holder)) return { ok: false, reason: 'node holding the state lost', detail: `node ${holder} is down` };
    const from = this.store.position;
    let answer: Record<string, unknown>;
    try {
      answer = await this.host.requestOne(`recover a session from node ${holder}`, {
        type: RECOVER_SESSION,
        pid,
        ...(typeof offset === 'string' ? { offset } : {}),
      });
    } catch (error) {
      return { ok: false, reason: 'node holding the state lost', detail: `node ${holder} did not answer: ${(error as Error).message}` };
    }
    const handed = handedFrom(answer);
    if (!handed) return refusalFrom(answer, holder);
    return { ok: true, handed, from };
  }

  /** Another node asks for a session: the holder answers, the others stay silent. */
  answer(request: Record<string, unknown>): void {
    const pid = request.pid;
    if (typeof pid !== 'string' || !this.store.holds(pid)) return;
    const outcome = this.store.handOver(pid, request.offset);
    const requestId = request.requestId;
    if (!outcome.ok) {
      const { ok: _ok, ...refusal } = outcome;
      this.host.reply({ requestId, refusal });
      return;
    }
    const { ok: _ok, ...handed } = outcome;
    this.host.reply({ requestId, handed });
  }

  private keyOf(pid: string): string {
    // The pid is the client's secret: Redis holds only its hash.
    return `${this.keyPrefix}-recovery#${this.store.nsp}#${createHash('sha256').update(pid).digest('base64url')}`;
  }

  private report(what: string, error: Error): void {
    this.host.reportError(new Error(`${what} (Redis: ${error.message})`));
  }
}

/** The cluster id of a broadcast received from another node: the publisher's, else a hash of its bytes (a socket.io 4 node's). */
export function broadcastId(id: unknown, message: Buffer): string {
  return typeof id === 'string' && id.length <= 64 ? id : `h:${createHash('sha1').update(message).digest('base64url')}`;
}

/** Validates a handed session from Redis: another node's word, checked before it reaches a socket. */
function handedFrom(answer: Record<string, unknown>): HandedSession | undefined {
  const handed = answer.handed;
  if (!isRecord(handed) || typeof handed.socketId !== 'string' || !Array.isArray(handed.packets) || typeof handed.awayMs !== 'number') return undefined;
  const packets: HandedPacket[] = [];
  for (const packet of handed.packets) {
    if (!isRecord(packet) || !Array.isArray(packet.data)) return undefined;
    packets.push(typeof packet.id === 'string' ? { data: packet.data, id: packet.id } : { data: packet.data });
  }
  return { socketId: handed.socketId, rooms: stringList(handed.rooms), data: handed.data ?? {}, awayMs: Math.max(0, handed.awayMs), packets };
}

/** What the node holding the state may answer: every reason but the two only the asking node can tell. */
const FAILURES: ReadonlySet<string> = new Set(recoveryFailure.exclude(['refused by a middleware', 'node holding the state lost']).options);

function refusalFrom(answer: Record<string, unknown>, holder: string): RemoteRecovery {
  const refusal = isRecord(answer.refusal) ? answer.refusal : {};
  const reason = typeof refusal.reason === 'string' && FAILURES.has(refusal.reason) ? (refusal.reason as RecoveryFailure) : 'node holding the state lost';
  return {
    ok: false,
    reason,
    ...(typeof refusal.socketId === 'string' ? { socketId: refusal.socketId } : {}),
    ...(typeof refusal.expiredByMs === 'number' ? { expiredByMs: refusal.expiredByMs } : {}),
    detail: `${typeof refusal.detail === 'string' ? refusal.detail : 'no detail'} (on node ${holder})`,
  };
}
