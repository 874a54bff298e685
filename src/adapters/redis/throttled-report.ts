/**
 * Problems that an outsider can cause by the thousand (bad entries in the
 * log stream, broadcasts with acks past the bound) are counted and reported
 * at most once per interval, so that a flood of them cannot become a flood
 * of reports; those in between are reported as a count.
 */
export class ThrottledReport {
  /** Problems seen since the start. */
  total = 0;
  private unreported = 0;
  private lastReportAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly report: (error: Error) => void,
    /** The report of `count` problems that were not reported one by one. */
    private readonly summary: (count: number) => string,
    private readonly interval = 1000,
  ) {}

  add(message: string): void {
    this.total++;
    const now = Date.now();
    if (now - this.lastReportAt >= this.interval) {
      const more = this.takeUnreported();
      this.lastReportAt = now;
      this.report(new Error(more > 0 ? `${message} (and ${more} more before it)` : message));
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
    this.report(new Error(this.summary(count)));
  }

  private takeUnreported(): number {
    const count = this.unreported;
    this.unreported = 0;
    return count;
  }
}
