/**
 * The inspector's live event stream (Server-Sent Events), pulled and
 * aggregated: nothing is pushed per event. One timer, running only while
 * someone listens, reads the log's ring every `interval` ms and sends each
 * listener one `batch` message: how many events of each type happened since
 * its cursor, and the latest `maxEvents` of them. A server recording
 * thousands of events a second costs each browser one small message a tick;
 * a slow listener is skipped until its socket drains and then gets one
 * batch covering everything it missed.
 *
 * Cursors are log positions (`EventLog.lastPosition`: the seq on a single
 * node). Each message carries the position it reaches as its SSE id, so a
 * browser that reconnects resumes where it was (Last-Event-ID), as does
 * `?since=POSITION` (a snapshot's `position`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventLog } from '../log/event-log';
import type { LogEvent, LogEventType } from '../log/events';

export interface EventStreamOptions {
  /** How often batches are sent, in ms. Default 1000. */
  interval?: number;
  /** Events sent in full per batch (the latest); the rest are only counted. Default 100. */
  maxEvents?: number;
  /** Idle listeners get a comment line this often, in ms, so proxies keep the stream open. Default 15000. */
  keepAlive?: number;
}

/** What one `batch` message holds. */
export interface EventBatch {
  /** The log position it starts after and the one it reaches. */
  from: number;
  to: number;
  /** Events in (from, to], whether or not they are listed. */
  total: number;
  counts: Partial<Record<LogEventType, number>>;
  /** The latest events of the range, oldest first. */
  events: LogEvent[];
  /** Events of the range no longer in the log's memory (ring overwritten or retention off): not counted by type. */
  unavailable: number;
}

interface Listener {
  res: ServerResponse;
  cursor: number;
  blocked: boolean;
  lastWrite: number;
}

export class EventStream {
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | undefined;
  private readonly interval: number;
  private readonly maxEvents: number;
  private readonly keepAlive: number;

  constructor(
    private readonly log: EventLog,
    options: EventStreamOptions = {},
  ) {
    this.interval = options.interval ?? 1000;
    this.maxEvents = options.maxEvents ?? 100;
    this.keepAlive = options.keepAlive ?? 15_000;
  }

  get size(): number {
    return this.listeners.size;
  }

  /** Turns `res` into an event stream; `since` (query or Last-Event-ID) resumes after that log position. */
  open(req: IncomingMessage, res: ServerResponse, since: number | undefined): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const latest = this.log.lastPosition;
    // A cursor beyond the log's end comes from before a restart: this log is new, so start from its beginning.
    const cursor = since === undefined ? latest : since > latest ? 0 : Math.max(0, since);
    const listener: Listener = { res, cursor, blocked: false, lastWrite: Date.now() };
    this.listeners.add(listener);
    const hello = { node: this.log.node, position: latest, retaining: this.log.retaining, interval: this.interval };
    this.write(listener, `retry: 2000\nevent: hello\ndata: ${JSON.stringify(hello)}\n\n`);
    if (listener.cursor < latest) this.send(listener, latest, new Map());
    const drop = () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopTimer();
    };
    req.on('close', drop);
    res.on('close', drop);
    res.on('error', drop);
    this.startTimer();
  }

  /** Ends every stream and stops the timer. */
  close(): void {
    for (const listener of this.listeners) listener.res.end();
    this.listeners.clear();
    this.stopTimer();
  }

  /** Events after `since` up to `to`, aggregated. */
  batch(since: number, to: number): EventBatch {
    const events = this.log.events({ since, until: to });
    const counts: Partial<Record<LogEventType, number>> = {};
    for (const event of events) counts[event.type] = (counts[event.type] ?? 0) + 1;
    return {
      from: since,
      to,
      total: to - since,
      counts,
      events: events.slice(-this.maxEvents),
      unavailable: to - since - events.length,
    };
  }

  private tick(): void {
    const latest = this.log.lastPosition;
    const now = Date.now();
    // Listeners at the same cursor (the usual case) share one batch.
    const shared = new Map<number, string>();
    for (const listener of this.listeners) {
      if (listener.blocked) continue;
      if (listener.cursor < latest) this.send(listener, latest, shared);
      else if (now - listener.lastWrite >= this.keepAlive) this.write(listener, ': keep-alive\n\n');
    }
  }

  private send(listener: Listener, latest: number, shared: Map<number, string>): void {
    let message = shared.get(listener.cursor);
    if (message === undefined) {
      message = `id: ${latest}\nevent: batch\ndata: ${JSON.stringify(this.batch(listener.cursor, latest))}\n\n`;
      shared.set(listener.cursor, message);
    }
    listener.cursor = latest;
    this.write(listener, message);
  }

  private write(listener: Listener, chunk: string): void {
    listener.lastWrite = Date.now();
    if (!listener.res.write(chunk)) {
      listener.blocked = true;
      listener.res.once('drain', () => {
        listener.blocked = false;
      });
    }
  }

  private startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.interval);
    this.timer.unref();
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
