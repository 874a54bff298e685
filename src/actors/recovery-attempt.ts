/**
 * A namespace connect that asks for an earlier socket back (a 4.x client's
 * CONNECT with `pid` and `offset`, under connectionStateRecovery). It
 * reserves the session when the connect arrives, so the socket has its old
 * id while the middlewares run (when they run), and takes the missed packets
 * at the moment it connects, so nothing broadcast meanwhile falls between
 * the store and the live rooms. Every outcome is one `socket.recovery` record.
 */
import type { EventEmitter } from 'node:events';
import type { NamespaceAdapter } from '../adapters/adapter-contract';
import type { Refusal, Restored } from '../adapters/recovery/outcome';
import type { RecoveryRegistry } from '../adapters/recovery/registry';
import type { RecoverySession, RecoveryStore } from '../adapters/recovery/store';
import type { EventLog } from '../log/event-log';
import type { ConnectPayload } from './connect-payload';

/** The connection asking (a Client is one), or the one holding the socket it asks for. */
export interface RecoveringClient {
  readonly id: string;
  readonly protocol: 4 | 5;
  readonly conn: { close(discard?: boolean): unknown };
}

/** The socket being recovered, or the one still connected under its pid (a Socket is one). */
export interface RecoveringSocket {
  readonly client: RecoveringClient;
  readonly events: EventEmitter;
  adopt(id: string, pid: string): void;
  renew(): void;
  restore(restored: Restored): void;
}

/** The namespace the socket connects to (a Namespace is one): its store, its server's registry and log, its adapter, its sockets. */
export interface RecoveringNamespace {
  readonly name: string;
  readonly recovery: RecoveryStore | undefined;
  readonly server: { readonly recovery: RecoveryRegistry | undefined; readonly log: Pick<EventLog, 'record'> };
  readonly adapter: Pick<NamespaceAdapter, 'recoverRemote'>;
  readonly connected: Readonly<Record<string, RecoveringSocket>>;
}

export class RecoveryAttempt {
  private constructor(
    private readonly nsp: RecoveringNamespace,
    private readonly store: RecoveryStore,
    private readonly socket: RecoveringSocket,
    private readonly session: RecoverySession,
    private readonly from: number,
    /** Whether the namespace middlewares are skipped (the option skipMiddlewares). */
    readonly skipsMiddlewares: boolean,
  ) {}

  /**
   * Starts an attempt if the client asks for one, then calls `then` with it
   * (undefined: a new socket; a refusal is recorded). At once when this node
   * knows the pid; after asking the cluster (iostate/redis) when it does not.
   */
  static begin(
    nsp: RecoveringNamespace,
    client: RecoveringClient,
    payload: ConnectPayload,
    socket: RecoveringSocket,
    then: (attempt?: RecoveryAttempt) => void,
  ): void {
    const registry = nsp.server.recovery;
    const store = nsp.recovery;
    const pid = payload.auth?.pid;
    if (!registry || !store || client.protocol !== 5 || typeof pid !== 'string') return then();
    const offset = payload.auth?.offset;
    const begun = registry.begin(store, pid, offset);
    if (
      !begun.ok &&
      begun.reason === 'still connected' &&
      takeOver(nsp, client, begun.socketId, () => RecoveryAttempt.begin(nsp, client, payload, socket, then))
    )
      return;
    const start = (session: RecoverySession, from: number) => {
      socket.adopt(session.socketId, session.pid);
      then(new RecoveryAttempt(nsp, store, socket, session, from, registry.options.skipMiddlewares));
    };
    if (begun.ok) return start(begun.session, begun.from);
    // A pid this node never heard of may be held by another node of the cluster.
    const neverHeard = begun.reason === 'unknown session' && begun.detail === undefined;
    if (!neverHeard || !nsp.adapter.recoverRemote) {
      recordFailure(nsp, client.id, begun);
      return then();
    }
    nsp.adapter.recoverRemote(pid, offset).then(
      (remote) => {
        if (!remote.ok) {
          recordFailure(nsp, client.id, remote);
          return then();
        }
        const adopted = store.adopt(pid, remote.handed, remote.from);
        if (!adopted.ok) return then(); // adopt always succeeds; the type says so only for begin's sake
        start(adopted.session, adopted.from);
      },
      (error: Error) => {
        recordFailure(nsp, client.id, { reason: 'node holding the state lost', detail: error.message });
        then();
      },
    );
  }

  /** A middleware refused the socket: the session ends with that reason. */
  refused(message: string): void {
    const refusal: Refusal = { reason: 'refused by a middleware', socketId: this.session.socketId, detail: `a middleware refused it: ${message}` };
    this.store.drop(this.session, refusal);
    recordFailure(this.nsp, this.socket.client.id, refusal);
  }

  /** The connection went away before the socket connected: the session may be claimed again. */
  abandoned(): void {
    this.store.release(this.session);
  }

  /** The socket connects now: it gets its state back, or (lost meanwhile) starts anew. */
  finish(): void {
    const outcome = this.store.finish(this.session, this.from);
    if (!outcome.ok) {
      recordFailure(this.nsp, this.socket.client.id, outcome);
      this.socket.renew();
      return;
    }
    this.nsp.server.log.record({
      type: 'socket.recovery',
      sid: this.socket.client.id,
      nsp: this.nsp.name,
      socketId: outcome.socketId,
      recovered: true,
      packets: outcome.packets.length,
      awayMs: outcome.awayMs,
    });
    this.socket.restore(outcome);
  }
}

/**
 * The client came back with the pid of a socket the server still counts as
 * connected: a network drop the server has not noticed yet (it would after
 * pingInterval + pingTimeout). The pid is that client's secret, so its
 * earlier connection is closed now ("forced close", which keeps the session)
 * and the attempt starts again once that socket has left. False when there
 * is nothing to take over here.
 */
function takeOver(nsp: RecoveringNamespace, client: RecoveringClient, socketId: string | undefined, retry: () => void): boolean {
  const earlier = socketId === undefined ? undefined : nsp.connected[socketId];
  if (!earlier || earlier.client === client || !Object.hasOwn(nsp.connected, socketId!)) return false;
  earlier.events.once('disconnect', retry);
  earlier.client.conn.close(true);
  return true;
}

function recordFailure(nsp: RecoveringNamespace, sid: string, refusal: Refusal): void {
  nsp.server.log.record(
    Object.assign(
      { type: 'socket.recovery' as const, sid, nsp: nsp.name, recovered: false, reason: refusal.reason },
      refusal.socketId === undefined ? {} : { socketId: refusal.socketId },
      refusal.expiredByMs === undefined ? {} : { expiredByMs: refusal.expiredByMs },
      refusal.detail === undefined ? {} : { detail: refusal.detail },
    ),
  );
}
