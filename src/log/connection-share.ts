/**
 * One connection's share of the log: at most `records` records of one
 * Engine.IO session per `windowMs`, and as many heartbeats (their own
 * budget: a short pingInterval must not crowd out the records that replay
 * needs, nor a 2.x client's pings). Past it, its records still update the
 * projections (the server's state stays exact) but do not leave the process:
 * no ring, no subscribers, no sinks. When the window ends, or the connection
 * closes, one `log.suppressed` record says how many were held back, by type.
 *
 * So that a log read back stays consistent, a socket is kept or held back as
 * a whole: once its `socket.connect` is held back, so are its joins, leaves,
 * errors and its `socket.disconnect`. `conn.open`, `conn.error`,
 * `conn.close` and the `socket.disconnect` of a socket whose connect was kept
 * are always kept: there is one of each per connection or kept socket (a
 * transport or protocol error ends its connection). So are a connection's
 * upgrade and the outcome of an upgrade attempt whose probe was kept (see
 * `upgrade`): the session's status and transport in the log are the server's;
 * and the socket a kept recovery attempt gave (`followsKeptRecovery`).
 *
 * A closing connection's sockets leave their rooms after its `conn.close`:
 * those records still count against its share, which is forgotten once its
 * window is over.
 */
import type { LogEventInput, LogEventOf } from './events';
import { socketKey } from './projections/sessions';

export interface ConnectionShareOptions {
  /** Records one connection may write per window (and as many heartbeats). */
  records: number;
  windowMs: number;
}

export const DEFAULT_CONNECTION_SHARE: ConnectionShareOptions = { records: 200, windowMs: 60_000 };

export type SuppressedSummary = Omit<LogEventOf<'log.suppressed'>, 'seq' | 'ts' | 'node'>;

interface Share {
  sid: string;
  windowStart: number;
  kept: number;
  keptHeartbeats: number;
  suppressed: number;
  from: number;
  to: number;
  types: Record<string, number> | undefined;
  /** Its connection closed: forget it once its window is over. */
  closed: boolean;
}

export class ConnectionShare {
  private readonly shares = new Map<string, Share>();
  /** Shares of closed connections, in closing order, to forget once their window is over. */
  private closedShares: Share[] = [];
  /** Sockets held back as a whole: key → the sid they ran on. */
  private readonly heldSockets = new Map<string, string>();
  /** Per open session, the namespace of its latest kept recovery attempt, until the socket that attempt gave connects. */
  private readonly keptRecoveries = new Map<string, string>();
  /** Summaries to record before the record just admitted. */
  private due: SuppressedSummary[] | undefined;

  constructor(
    private readonly options: ConnectionShareOptions,
    /** From the live projections: the session a socket (by socketKey) runs on, whether a session is still open, and whether it is upgrading. */
    private readonly sessions: { sessionOf(key: string): string | undefined; isOpen(sid: string): boolean; isUpgrading(sid: string): boolean },
  ) {}

  /** Whether `input` may leave the process. Call `takeSummaries` right after. */
  admit(input: LogEventInput, now: number): boolean {
    if (this.closedShares.length > 0) this.forgetClosed(now);
    switch (input.type) {
      case 'conn.open':
        return true;
      case 'conn.error':
        // Each ends its connection (the server closes it), so there is one at most, and the session's errors must be replay's.
        return true;
      case 'conn.close':
        this.keptRecoveries.delete(input.sid);
        this.close(input.sid, now);
        return true;
      case 'conn.upgrade':
        return this.upgrade(input, now);
      case 'socket.refused':
        // A refusal can be a kept recovery attempt's outcome (a middleware said no): kept with it, as its socket would be.
        return this.followsKeptRecovery(input.sid, input.nsp) || this.count(input.sid, input.type, now);
      case 'conn.heartbeat':
        return this.count(input.sid, input.type, now);
      case 'socket.recovery':
        if (!this.count(input.sid, input.type, now)) return false;
        this.keptRecoveries.set(input.sid, input.nsp);
        return true;
      case 'nsp.create':
        return input.sid === undefined || this.count(input.sid, input.type, now);
      case 'socket.connect': {
        if (this.followsKeptRecovery(input.sid, input.nsp)) return true;
        if (this.count(input.sid, input.type, now)) return true;
        this.heldSockets.set(socketKey(input.nsp, input.socketId), input.sid);
        return false;
      }
      case 'room.join':
      case 'room.leave':
        return this.socketRecord(input.nsp, input.socketId, input.type, now);
      case 'app.error':
        return input.socketId === undefined || input.nsp === undefined || this.socketRecord(input.nsp, input.socketId, input.type, now);
      case 'socket.disconnect': {
        if (this.heldSockets.size === 0) return true;
        const key = socketKey(input.nsp, input.socketId);
        const sid = this.heldSockets.get(key);
        if (sid === undefined) return true;
        this.heldSockets.delete(key);
        this.note(this.current(sid, now), input.type, now);
        return false;
      }
      default:
        return true;
    }
  }

  /** The `log.suppressed` records that must come before the record just admitted, once. */
  takeSummaries(): SuppressedSummary[] | undefined {
    const due = this.due;
    this.due = undefined;
    return due;
  }

  /**
   * A session's status and transport must be the same live and in replay, and a client can try (and fail) to upgrade
   * without end. So probes and failures count against the share, and those held back change no session; but
   * `upgraded` (once per connection) and the outcome of an upgrade whose probe was kept (once per kept probe) are
   * always kept: a session never reads as upgrading, nor on polling, after the server moved on.
   */
  private upgrade(input: Extract<LogEventInput, { type: 'conn.upgrade' }>, now: number): boolean {
    if (input.step === 'upgraded' || (input.step === 'failed' && this.sessions.isUpgrading(input.sid))) return true;
    return this.count(input.sid, input.type, now);
  }

  /**
   * The outcome of a kept recovery attempt (the earlier socket back, a new one instead, or a refusal) is
   * kept: the log must not tell the attempt and leave out its outcome, nor give that attempt to a later
   * socket. Once per kept attempt, so within the share.
   */
  private followsKeptRecovery(sid: string, nsp: string): boolean {
    if (this.keptRecoveries.size === 0 || this.keptRecoveries.get(sid) !== nsp) return false;
    this.keptRecoveries.delete(sid);
    return true;
  }

  private socketRecord(nsp: string, socketId: string, type: string, now: number): boolean {
    const key = socketKey(nsp, socketId);
    const held = this.heldSockets.size === 0 ? undefined : this.heldSockets.get(key);
    if (held !== undefined) {
      this.note(this.current(held, now), type, now);
      return false;
    }
    const sid = this.sessions.sessionOf(key);
    return sid === undefined || this.count(sid, type, now);
  }

  private count(sid: string, type: string, now: number): boolean {
    const share = this.current(sid, now);
    if (type === 'conn.heartbeat') {
      if (share.keptHeartbeats < this.options.records) {
        share.keptHeartbeats++;
        return true;
      }
    } else if (share.kept < this.options.records) {
      share.kept++;
      return true;
    }
    this.note(share, type, now);
    return false;
  }

  private note(share: Share, type: string, now: number): void {
    if (share.suppressed === 0) share.from = now;
    share.suppressed++;
    share.to = now;
    share.types ??= {};
    share.types[type] = (share.types[type] ?? 0) + 1;
  }

  /** The sid's share in the current window; a window that ended leaves its summary due. */
  private current(sid: string, now: number): Share {
    let share = this.shares.get(sid);
    if (!share) {
      share = { sid, windowStart: now, kept: 0, keptHeartbeats: 0, suppressed: 0, from: 0, to: 0, types: undefined, closed: false };
      this.shares.set(sid, share);
      // Records that follow a connection's close (its sockets leaving) must not open a share that nothing closes.
      if (!this.sessions.isOpen(sid)) this.markClosed(share);
    } else if (now - share.windowStart >= this.options.windowMs) {
      this.summarise(share);
      share.windowStart = now;
      share.kept = 0;
      share.keptHeartbeats = 0;
    }
    return share;
  }

  private close(sid: string, now: number): void {
    const share = this.shares.get(sid);
    if (!share || share.closed) return;
    this.summarise(share);
    if (now - share.windowStart >= this.options.windowMs) this.shares.delete(sid);
    else this.markClosed(share);
  }

  private markClosed(share: Share): void {
    share.closed = true;
    this.closedShares.push(share);
  }

  private forgetClosed(now: number): void {
    let expired = 0;
    for (const share of this.closedShares) {
      if (now - share.windowStart < this.options.windowMs) break;
      expired++;
      this.summarise(share);
      if (this.shares.get(share.sid) === share) this.shares.delete(share.sid);
    }
    if (expired > 0) this.closedShares = this.closedShares.slice(expired);
  }

  private summarise(share: Share): void {
    if (share.suppressed === 0) return;
    (this.due ??= []).push({ type: 'log.suppressed', sid: share.sid, count: share.suppressed, types: share.types ?? {}, from: share.from, to: share.to });
    share.suppressed = 0;
    share.types = undefined;
  }
}
