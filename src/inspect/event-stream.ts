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
 *
 * A listener that asks for the live model (`live`) first gets it whole, in a
 * `model` message, then immer's JSON patches of it in `patch` messages: one
 * per `patchInterval` at most, and only when something shown changed
 * (live-model.ts). The model is followed only while such a listener is
 * there. One that could not keep up (its socket full when patches were due)
 * gets the whole model again once it drains, since the patches it missed
 * are gone.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventLog } from '../log/event-log';
import type { LogEvent, LogEventType } from '../log/events';
import type { LiveModelFollower } from './live-model';

export interface EventStreamOptions {
  /** How often batches are sent, in ms. Default 1000. */
  interval?: number;
  /** Events sent in full per batch (the latest); the rest are only counted. Default 100. */
  maxEvents?: number;
  /** Idle listeners get a comment line this often, in ms, so proxies keep the stream open. Default 15000. */
  keepAlive?: number;
  /** Live model patches are sent at most this often, in ms. Default 250. */
  patchInterval?: number;
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
  /** Wants the live model and its patches. */
  live: boolean;
  /** Missed patches: gets the whole model when it drains. */
  stale: boolean;
}

export class EventStream {
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | undefined;
  private patchTimer: NodeJS.Timeout | undefined;
  private readonly interval: number;
  private readonly maxEvents: number;
  private readonly keepAlive: number;
  private readonly patchInterval: number;

  constructor(
    private readonly log: EventLog,
    options: EventStreamOptions = {},
    private readonly model?: LiveModelFollower,
  ) {
    this.interval = options.interval ?? 1000;
    this.maxEvents = options.maxEvents ?? 100;
    this.keepAlive = options.keepAlive ?? 15_000;
    this.patchInterval = options.patchInterval ?? 250;
  }

  get size(): number {
    return this.listeners.size;
  }

  /**
   * Turns `res` into an event stream; `since` (query or Last-Event-ID) resumes after that log position.
   * With `live`, the stream also carries the live model and its patches.
   */
  open(req: IncomingMessage, res: ServerResponse, since: number | undefined, live = false): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const latest = this.log.lastPosition;
    // A cursor beyond the log's end comes from before a restart: this log is new, so start from its beginning.
    const cursor = since === undefined ? latest : since > latest ? 0 : Math.max(0, since);
    const wantsModel = live && this.model !== undefined;
    const listener: Listener = { res, cursor, blocked: false, lastWrite: Date.now(), live: wantsModel, stale: false };
    // Patches already due go to those listening before this one, whose model they apply to.
    if (wantsModel) this.sendPatches();
    this.listeners.add(listener);
    const hello = {
      node: this.log.node,
      position: latest,
      retaining: this.log.retaining,
      interval: this.interval,
      ...(wantsModel && { patchInterval: this.patchInterval }),
    };
    this.write(listener, `retry: 2000\nevent: hello\ndata: ${JSON.stringify(hello)}\n\n`);
    if (wantsModel) this.sendModel(listener);
    if (listener.cursor < latest) this.send(listener, latest, new Map());
    const drop = () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopTimer();
      if (![...this.listeners].some((other) => other.live)) this.stopPatches();
    };
    req.on('close', drop);
    res.on('close', drop);
    res.on('error', drop);
    this.startTimer();
    if (wantsModel) this.startPatches();
  }

  /** Ends every stream and stops the timer. */
  close(): void {
    for (const listener of this.listeners) listener.res.end();
    this.listeners.clear();
    this.stopTimer();
    this.stopPatches();
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
        if (listener.stale && this.listeners.has(listener)) this.sendModel(listener);
      });
    }
  }

  /** The whole live model, as of now: what the next patches apply to. */
  private sendModel(listener: Listener): void {
    listener.stale = false;
    this.write(listener, `event: model\ndata: ${JSON.stringify(this.model!.current())}\n\n`);
  }

  /** One `patch` message with what changed since the last, to every live listener. */
  private sendPatches(): void {
    if (!this.model?.started) return;
    const { patches, position } = this.model.flush();
    if (patches.length === 0) return;
    const message = `event: patch\ndata: ${JSON.stringify({ position, patches })}\n\n`;
    for (const listener of this.listeners) {
      if (!listener.live) continue;
      if (listener.blocked) listener.stale = true;
      else if (!listener.stale) this.write(listener, message);
    }
  }

  private startPatches(): void {
    if (this.patchTimer) return;
    this.patchTimer = setInterval(() => this.sendPatches(), this.patchInterval);
    this.patchTimer.unref();
  }

  /** Nobody watches the model: stop following the log. */
  private stopPatches(): void {
    clearInterval(this.patchTimer);
    this.patchTimer = undefined;
    this.model?.stop();
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
