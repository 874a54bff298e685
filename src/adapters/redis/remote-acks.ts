/**
 * The acks a node waits for on behalf of other nodes. socket.io 4's
 * `io.timeout(ms).emit(event, ..., callback)` reaches this node as a
 * BROADCAST request; the node delivers it to its sockets and publishes each
 * client's ack. The requester stops listening after its timeout
 * (`opts.flags.timeout`), so at that time this node forgets the acks still
 * missing: a client that never answers (one without a handler for the
 * event, say) would otherwise hold them until it disconnects, one more per
 * request. And at most `limit` acks wait at once: a request that would go
 * past it is refused whole (not delivered, not answered: its requester times
 * out) and reported.
 */
import { ThrottledReport } from './throttled-report';

/** One request's acks: the socket-side waits to forget at its timeout. */
export interface AckWait {
  /** Registers how to stop waiting for one client's ack. */
  track(forget: () => void): void;
  /** One ack came; false when the request timed out already (do not publish it). */
  answered(): boolean;
}

/** setTimeout's longest delay. */
const MAX_DELAY = 2 ** 31 - 1;

export class RemoteAcks {
  private waiting = 0;
  private readonly open = new Set<Request>();
  private readonly refusals: ThrottledReport;

  constructor(
    private readonly limit: number,
    /** For a request that names no timeout. */
    private readonly defaultTimeout: number,
    report: (error: Error) => void,
  ) {
    this.refusals = new ThrottledReport(
      report,
      (count) => `refused ${count} more broadcast(s) with acks from other nodes over maxPendingAcks (reported at most once a second)`,
    );
  }

  /** Acks waited for now. */
  get size(): number {
    return this.waiting;
  }

  /** Reserves `count` acks until `timeout` ms from now (the request's own, else the default); undefined when refused. */
  wait(count: number, timeout: unknown): AckWait | undefined {
    if (this.waiting + count > this.limit) {
      this.refusals.add(
        `refused a broadcast with acks from another node: it would wait for ${count} more acks, over maxPendingAcks (${this.limit}, ${this.waiting} waiting); the requester gets no answer from this node`,
      );
      return undefined;
    }
    const delay = typeof timeout === 'number' && timeout > 0 ? Math.min(timeout, MAX_DELAY) : this.defaultTimeout;
    this.waiting += count;
    const request = new Request(count, delay, {
      release: (acks) => (this.waiting -= acks),
      finished: () => this.open.delete(request),
    });
    this.open.add(request);
    return request;
  }

  /** Stops waiting for every request (the node leaves the cluster). */
  clear(): void {
    for (const request of [...this.open]) request.expire();
    this.refusals.stop();
  }
}

interface RequestOwner {
  /** `acks` are no longer waited for. */
  release(acks: number): void;
  finished(): void;
}

class Request implements AckWait {
  private readonly forgets: Array<() => void> = [];
  private readonly timer: NodeJS.Timeout;
  private done = false;

  constructor(
    private left: number,
    delay: number,
    private readonly owner: RequestOwner,
  ) {
    this.timer = setTimeout(() => this.expire(), delay);
    this.timer.unref();
  }

  track(forget: () => void): void {
    this.forgets.push(forget);
  }

  answered(): boolean {
    if (this.done) return false;
    this.left--;
    this.owner.release(1);
    if (this.left === 0) this.finish();
    return true;
  }

  expire(): void {
    if (this.done) return;
    for (const forget of this.forgets) forget();
    this.owner.release(this.left);
    this.left = 0;
    this.finish();
  }

  private finish(): void {
    this.done = true;
    clearTimeout(this.timer);
    this.forgets.length = 0;
    this.owner.finished();
  }
}
