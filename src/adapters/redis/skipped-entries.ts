/**
 * Entries of the log stream that this node did not take in: counted, and
 * reported with their id and why, at most once per interval so that a flood
 * of bad entries cannot become a flood of reports; the entries skipped in
 * between are reported as a count.
 */
export class SkippedEntries {
  /** Entries skipped since the node started. */
  total = 0;
  private unreported = 0;
  private lastReportAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: string,
    private readonly report: (error: Error) => void,
    private readonly interval = 1000,
  ) {}

  add(id: string, problem: string): void {
    this.total++;
    const now = Date.now();
    if (now - this.lastReportAt >= this.interval) {
      const more = this.takeUnreported();
      this.lastReportAt = now;
      this.report(new Error(`log stream ${this.stream}: skipped entry ${id}: ${problem}${more > 0 ? ` (and ${more} more before it)` : ''}`));
      return;
    }
    this.unreported++;
    this.timer ??= setTimeout(() => this.reportUnreported(), this.lastReportAt + this.interval - now);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private reportUnreported(): void {
    this.timer = undefined;
    const count = this.takeUnreported();
    if (count === 0) return;
    this.lastReportAt = Date.now();
    this.report(new Error(`log stream ${this.stream}: skipped ${count} more entr${count === 1 ? 'y' : 'ies'} (reported at most once a second)`));
  }

  private takeUnreported(): number {
    const count = this.unreported;
    this.unreported = 0;
    return count;
  }
}
