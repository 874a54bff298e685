/**
 * The server's recovery registry: which namespace's store holds each pid, and
 * how recently ended sessions ended, so that a client coming back with a pid
 * that is no longer held hears why ("window expired by 3 s", "its socket left
 * with 'client namespace disconnect'") rather than "unknown". Both maps are
 * bounded: a store's sessions by its window, ended ones by MAX_ENDED.
 */
import { RecoveryStore, type Begun, type SessionIndex } from './store';
import type { Refusal } from './outcome';
import type { ResolvedRecoveryOptions } from './options';

const MAX_ENDED = 10_000;
const MAX_PID_LENGTH = 64;

interface Ended {
  readonly nsp: string;
  readonly why: Refusal;
  readonly disconnectedAt?: number;
}

export class RecoveryRegistry implements SessionIndex {
  /** pingInterval + pingTimeout of the engine (set when it is attached); the default engine's until then. */
  settledMs = 45_000;
  private readonly holders = new Map<string, RecoveryStore>();
  private readonly endedSessions = new Map<string, Ended>();

  constructor(
    readonly options: ResolvedRecoveryOptions,
    private readonly now: () => number = Date.now,
  ) {}

  storeFor(nsp: string): RecoveryStore {
    return new RecoveryStore(nsp, this, this.now);
  }

  opened(pid: string, store: RecoveryStore): void {
    this.endedSessions.delete(pid);
    this.holders.set(pid, store);
  }

  ended(pid: string, nsp: string, socketId: string, why: Refusal, disconnectedAt?: number): void {
    this.holders.delete(pid);
    this.endedSessions.set(pid, { nsp, why: { ...why, socketId }, disconnectedAt });
    if (this.endedSessions.size > MAX_ENDED) this.endedSessions.delete(this.endedSessions.keys().next().value as string);
  }

  /** Whether this node holds session `pid` (for another node's request). */
  holds(pid: string): boolean {
    return this.holders.has(pid);
  }

  /** A client asks for session `pid` back, of the namespace whose store is `asked`. */
  begin(asked: RecoveryStore, pid: string, offset: unknown): Begun {
    const nsp = asked.nsp;
    // Pids are ids this server drew (20 characters): a longer one is no pid, and is not looked up.
    if (pid.length > MAX_PID_LENGTH) return { ok: false, reason: 'unknown session' };
    const store = this.holders.get(pid);
    if (store) {
      if (store.nsp !== nsp) return { ok: false, reason: 'another namespace', detail: `its session is one of namespace ${store.nsp}` };
      // The same name, another store: the namespace was deleted (cleanupEmptyChildNamespaces) and made again.
      if (store !== asked) return { ok: false, reason: 'session ended', detail: `namespace ${nsp} was deleted while it was away` };
      return store.begin(pid, offset);
    }
    const ended = this.endedSessions.get(pid);
    if (!ended) return { ok: false, reason: 'unknown session' };
    if (ended.nsp !== nsp) return { ok: false, reason: 'another namespace', detail: `its session was one of namespace ${ended.nsp}` };
    return { ok: false, ...this.refreshed(ended) };
  }

  /** An ended session's reason as of now: an expiry grows with time. */
  private refreshed(ended: Ended): Refusal {
    if (ended.why.reason !== 'window expired' || ended.disconnectedAt === undefined || ended.why.detail) return ended.why;
    const window = this.options.maxDisconnectionDuration;
    return {
      ...ended.why,
      expiredByMs: Math.max(0, this.now() - (ended.disconnectedAt + window)),
      detail: `away longer than maxDisconnectionDuration ${window} ms`,
    };
  }
}
