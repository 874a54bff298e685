/**
 * Requests this adapter sent to the other nodes, waiting for their answers.
 * A request completes when as many nodes answered as were subscribed when it
 * was sent; after `timeout` ms it fails with a RequestTimeoutError that says
 * which nodes stayed silent: iostate nodes by name (their answers carry it),
 * other nodes (socket.io) by count.
 */

export class RequestTimeoutError extends Error {
  constructor(
    readonly request: string,
    readonly timeout: number,
    /** iostate nodes that were expected to answer and did not. */
    readonly missingNodes: string[],
    /** Answers that were expected and not received, named or not. */
    readonly missingCount: number,
  ) {
    const named = missingNodes.length > 0 ? `: no answer from ${missingNodes.join(', ')}` : '';
    const anonymous = missingCount - missingNodes.length;
    const others = anonymous > 0 ? `${named ? ' and' : ':'} ${anonymous} node(s) without an iostate name (socket.io)` : '';
    super(`${request} timed out after ${timeout} ms${named}${others}`);
    this.name = 'RequestTimeoutError';
  }
}

interface Pending {
  expected: number;
  answers: number;
  answeredBy: Set<string>;
  expectedNodes: readonly string[];
  onAnswer: (response: Record<string, unknown>) => void;
  finish: () => void;
  fail: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export interface RequestSpec<T> {
  requestId: string;
  /** What the error message calls it, e.g. `clients(["room"])`. */
  label: string;
  /** How many answers complete it. */
  expected: number;
  /** iostate nodes expected to answer, to name the silent ones. */
  expectedNodes: readonly string[];
  onAnswer: (response: Record<string, unknown>) => void;
  result: () => T;
}

export class PendingRequests {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly timeout: number) {}

  has(requestId: string): boolean {
    return this.pending.has(requestId);
  }

  /** Registers a request (before publishing it); resolves with `result()` once every answer arrived. */
  wait<T>(spec: RequestSpec<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const entry = this.pending.get(spec.requestId);
        if (!entry) return;
        this.pending.delete(spec.requestId);
        const missingNodes = spec.expectedNodes.filter((node) => !entry.answeredBy.has(node));
        reject(new RequestTimeoutError(spec.label, this.timeout, missingNodes, Math.max(spec.expected - entry.answers, missingNodes.length)));
      }, this.timeout);
      timer.unref();
      this.pending.set(spec.requestId, {
        expected: spec.expected,
        answers: 0,
        answeredBy: new Set(),
        expectedNodes: spec.expectedNodes,
        onAnswer: spec.onAnswer,
        finish: () => resolve(spec.result()),
        fail: reject,
        timer,
      });
    });
  }

  /** Takes one answer; unknown request ids (other nodes' requests) are ignored. */
  answer(response: Record<string, unknown>): void {
    const requestId = response.requestId;
    if (typeof requestId !== 'string') return;
    const entry = this.pending.get(requestId);
    if (!entry) return;
    if (typeof response.node === 'string') {
      if (entry.answeredBy.has(response.node)) return;
      entry.answeredBy.add(response.node);
    }
    entry.answers++;
    entry.onAnswer(response);
    if (entry.answers >= entry.expected) {
      clearTimeout(entry.timer);
      this.pending.delete(requestId);
      entry.finish();
    }
  }

  /**
   * Drops a request that was never sent (its publish failed): the caller
   * reports that failure instead, and no timeout fires later for a promise
   * nobody awaits any more.
   */
  forget(requestId: string): void {
    const entry = this.pending.get(requestId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(requestId);
  }

  /** Fails every waiting request, e.g. when the adapter closes. */
  failAll(error: Error): void {
    for (const entry of this.pending.values()) {
      clearTimeout(entry.timer);
      entry.fail(error);
    }
    this.pending.clear();
  }
}
