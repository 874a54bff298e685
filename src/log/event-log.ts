/**
 * The event log: stamps each lifecycle event, folds it into the live
 * projections, keeps the latest ones in a ring, tells subscribers, and hands
 * it to sinks. Everything happens inside `record`, synchronously and in
 * order, so the projections are current the moment `record` returns (the
 * memory adapter routes broadcasts from the rooms projection). Sinks do
 * their own I/O later; see sink.ts. What leaves the process (ring,
 * subscribers, sinks) is bounded once here (bound.ts) and limited to each
 * connection's share (connection-share.ts); the projections see everything.
 */
import * as os from 'node:os';
import { boundEvent, type SensitiveFields } from './bound';
import { ConnectionShare, DEFAULT_CONNECTION_SHARE, type ConnectionShareOptions } from './connection-share';
import type { LabelFunction } from './connection-label';
import type { LogEvent, LogEventInput, Recorder } from './events';
import { MemorySink, DEFAULT_CAPACITY } from './memory-sink';
import { countersOf, emptyProjections, foldAll, foldHeldBack, projectionsView, type ProjectionState, type Projections } from './projections';
import type { LogSink } from './sink';

export interface EventLogOptions {
  /** This server's name in a cluster, stamped on every event. Default `<hostname>:<pid>`. */
  node?: string;
  /** Events kept in memory for `events()`; `false` keeps none (projections still run). Default 10,000. */
  capacity?: number | false;
  /** Where else events go (a JSONL file, a Redis stream, your own). */
  sinks?: LogSink[];
  /** Finished sessions the sessions projection keeps for inspection. Default 1,000. */
  retainClosed?: number;
  /** A subscriber or sink threw. Default: one process warning per source. */
  onError?: (error: Error) => void;
  /** One connection's share of the log (connection-share.ts); `false`: no limit. Default 200 records per minute. */
  perConnection?: ConnectionShareOptions | false;
  /** Possibly secret fields to keep in the log (bound.ts). Default: none. */
  sensitive?: SensitiveFields;
  /** Who each socket was: called by the server when a socket connects (connection-label.ts). */
  label?: LabelFunction<any, any>;
}

export type LogListener = (event: LogEvent) => void;

export const DEFAULT_RETAIN_CLOSED = 1_000;

export function defaultNodeName(): string {
  return `${os.hostname()}:${process.pid}`;
}

export class EventLog implements Recorder {
  readonly node: string;
  /** Live read API of the projections; the objects stay valid for the log's life. */
  readonly projections: Projections;
  /** The application's `eventLog.label`, for the server to call on each socket connect. */
  readonly label: LabelFunction<any, any> | undefined;
  private readonly state: ProjectionState;
  private readonly ring: MemorySink | undefined;
  private readonly sinks: LogSink[];
  private readonly listeners = new Set<LogListener>();
  private readonly foldListeners = new Set<LogListener>();
  private readonly onError: ((error: Error) => void) | undefined;
  private readonly share: ConnectionShare | undefined;
  private readonly sensitive: SensitiveFields;
  /** Sources already warned about, when there is no onError: one warning each. */
  private readonly warned = new Set<string>();
  private seq = 0;
  private position = 0;
  private closing: Promise<void> | undefined;

  constructor(options: EventLogOptions = {}) {
    this.node = options.node ?? defaultNodeName();
    const capacity = options.capacity ?? DEFAULT_CAPACITY;
    this.ring = capacity === false ? undefined : new MemorySink(capacity);
    this.sinks = [...(options.sinks ?? [])];
    this.state = emptyProjections(options.retainClosed ?? DEFAULT_RETAIN_CLOSED);
    this.projections = projectionsView(this.state);
    // This node's counters come first: names forged by other nodes cannot crowd them out.
    countersOf(this.state.counters, this.node);
    this.onError = options.onError;
    const perConnection = options.perConnection ?? DEFAULT_CONNECTION_SHARE;
    if (perConnection !== false) {
      const { sessions, sockets } = this.state.sessions;
      this.share = new ConnectionShare(perConnection, {
        sessionOf: (key) => sockets.get(key)?.sid,
        isOpen: (sid) => {
          const status = sessions.get(sid)?.status;
          return status === 'open' || status === 'upgrading';
        },
        isUpgrading: (sid) => sessions.get(sid)?.status === 'upgrading',
      });
    }
    this.sensitive = options.sensitive ?? {};
    this.label = options.label;
    for (const sink of this.sinks) this.hearDropsOf(sink);
  }

  /**
   * Adds a sink after the log was made (the Redis adapter's shared stream):
   * from now on it is written to, flushed and closed like the others, so that
   * `flush()` waits for it too. Returns the function that takes it off again.
   */
  attach(sink: LogSink): () => void {
    this.sinks.push(sink);
    this.hearDropsOf(sink);
    return () => {
      const index = this.sinks.indexOf(sink);
      if (index >= 0) this.sinks.splice(index, 1);
    };
  }

  private hearDropsOf(sink: LogSink): void {
    sink.reportDropsTo?.((drop) => this.record(Object.assign({ type: 'log.dropped' as const }, drop)));
  }

  /** Whether events are retained in memory for `events()`. */
  get retaining(): boolean {
    return this.ring !== undefined;
  }

  /** The `seq` of the latest event this node recorded, 0 before the first. */
  get lastSeq(): number {
    return this.seq;
  }

  /**
   * The position of the latest event this log took in, recorded or ingested:
   * the cursor for `events({ since, until })`. Equal to `lastSeq` on a node
   * that never ingests other nodes' events.
   */
  get lastPosition(): number {
    return this.position;
  }

  /**
   * Every event updates the projections. What leaves the process (ring,
   * subscribers, sinks) is bounded (bound.ts), and only while the
   * connection it concerns is within its share of the log.
   */
  record(input: LogEventInput): LogEvent {
    const now = Date.now();
    let admitted = true;
    if (this.share) {
      admitted = this.share.admit(input, now);
      const summaries = this.share.takeSummaries();
      if (summaries) for (const summary of summaries) this.append(summary, now, true);
    }
    return this.append(input, now, admitted);
  }

  private append(input: LogEventInput, now: number, admitted: boolean): LogEvent {
    // Not `{ ...input, seq, ts, node }`: V8 (Node 20) takes a slow path, several µs, when a
    // spread is followed by new keys, and every connection records a few events.
    const event = Object.assign({}, input) as LogEvent;
    event.seq = ++this.seq;
    event.ts = now;
    event.node = this.node;
    if (!admitted) {
      foldHeldBack(this.state, event);
      if (this.foldListeners.size > 0) this.folded(event);
      return event;
    }
    foldAll(this.state, event);
    if (this.foldListeners.size > 0) this.folded(event);
    const out = boundEvent(event, this.sensitive);
    this.publish(out);
    if (!this.closing) {
      for (const sink of this.sinks) {
        try {
          sink.write(out);
        } catch (error) {
          this.report('event log sink', error);
        }
      }
    }
    return event;
  }

  /**
   * Takes in an event another node of a cluster recorded: folded into the
   * projections, kept in the ring and given to subscribers, with its own
   * stamp (no new seq) and not handed to the sinks (its node wrote it there).
   */
  ingest(event: LogEvent): void {
    foldAll(this.state, event);
    if (this.foldListeners.size > 0) this.folded(event);
    this.publish(event);
  }

  private folded(event: LogEvent): void {
    for (const listener of this.foldListeners) {
      try {
        listener(event);
      } catch (error) {
        this.report('event log fold listener', error);
      }
    }
  }

  /** Retain, notify: what every event that leaves the process goes through, in this order. */
  private publish(event: LogEvent): void {
    this.position++;
    this.ring?.write(event);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.report('event log subscriber', error);
      }
    }
  }

  /**
   * Calls `listener` with every event the projections fold, right after,
   * as they folded it: whole (subscribers get it bounded, its long strings
   * cut), and also when it is held back from the log past its connection's
   * share. For views of the projections in this process (the inspector's
   * live model), which must name what the projections name. Returns the
   * unsubscribe function.
   */
  onFold(listener: LogListener): () => void {
    this.foldListeners.add(listener);
    return () => {
      this.foldListeners.delete(listener);
    };
  }

  /** Calls `listener` with each new event, after the projections include it. Returns the unsubscribe function. */
  subscribe(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Retained events at positions in (since, until], oldest first (see
   * `lastPosition`; on a single node, positions are seqs). [] when retention is off.
   */
  events(options: { since?: number; until?: number } = {}): LogEvent[] {
    return this.ring?.events(options.since, options.until) ?? [];
  }

  /** Resolves when every sink that can flush has written out the events recorded so far. */
  async flush(): Promise<void> {
    const results = await Promise.allSettled(this.sinks.map((sink) => sink.flush?.()));
    for (const result of results) {
      if (result.status === 'rejected') this.report('event log sink flush', result.reason);
    }
  }

  /** Flushes and closes the sinks. Events recorded afterwards still update the projections. */
  close(): Promise<void> {
    this.closing ??= Promise.allSettled(this.sinks.map((sink) => sink.close())).then((results) => {
      for (const result of results) {
        if (result.status === 'rejected') this.report('event log sink close', result.reason);
      }
    });
    return this.closing;
  }

  private report(source: string, cause: unknown): void {
    const error = new Error(`${source} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    if (this.onError) {
      this.onError(error);
    } else if (!this.warned.has(source)) {
      this.warned.add(source);
      process.emitWarning(`${error.message} (further failures of this kind are not reported)`, 'IostateEventLogWarning');
    }
  }
}
