/**
 * The counters projection: how many times things happened, per node, since
 * the log began: connections opened and closed (by reason), sockets
 * disconnected (by reason), upgrades, application errors, records the log
 * lost, connection state recoveries (by outcome), and how long namespace middlewares took (bucketed). The gauges of
 * "now" (open connections, sockets per namespace) come from the sessions
 * projection; these are the totals that cannot be read from it, since it
 * forgets closed sessions. The `/metrics` endpoint (src/inspect/metrics.ts)
 * exports one node's; replay folds the same counts from a file.
 *
 * Reasons come from the engine's own code on the node that recorded them,
 * but another node's records (a shared Redis stream) can be forged: every
 * map keeps at most MAX_KEYS keys and the state MAX_NODES nodes, the rest is
 * counted under OTHER, so a flood of invented reasons or node names cannot
 * grow memory nor a metric's label set.
 */
import type { LogEvent } from '../events';

/** Upper bounds of the middleware duration buckets, in ms (a last bucket, +Inf, holds the rest). */
export const MIDDLEWARE_BUCKETS_MS: readonly number[] = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

export const MAX_KEYS = 64;
/** Nodes counted apart; the live log makes its own node's entry first (event-log.ts). */
export const MAX_NODES = 256;
export const OTHER = '(other)';

export interface DurationHistogram {
  /** Counts per bucket of MIDDLEWARE_BUCKETS_MS (not cumulative), then the +Inf bucket. */
  buckets: number[];
  sumMs: number;
  count: number;
}

export interface NodeCounters {
  /** conn.open by transport and Engine.IO protocol, key `polling/4`. */
  opened: Map<string, number>;
  /** conn.close by reason. */
  closed: Map<string, number>;
  /** socket.disconnect by reason. */
  disconnects: Map<string, number>;
  /** conn.upgrade by step: probe, upgraded, failed. */
  upgrades: Map<string, number>;
  /** Namespace middlewares, by outcome: connected or refused. */
  middleware: { connected: DurationHistogram; refused: DurationHistogram };
  appErrors: number;
  /** Records a sink could not write (log.dropped), by sink. */
  dropped: Map<string, number>;
  /** Records held back over a connection's share (log.suppressed). */
  suppressed: number;
  /** Connection state recovery attempts (socket.recovery) by outcome: `recovered`, or the reason it failed. */
  recoveries: Map<string, number>;
}

export interface CountersState {
  readonly nodes: Map<string, NodeCounters>;
}

export function emptyCounters(): CountersState {
  return { nodes: new Map() };
}

function emptyHistogram(): DurationHistogram {
  return { buckets: new Array<number>(MIDDLEWARE_BUCKETS_MS.length + 1).fill(0), sumMs: 0, count: 0 };
}

/** The counters of `node`, made on first use; past MAX_NODES nodes, new names share the OTHER entry. */
export function countersOf(state: CountersState, node: string): NodeCounters {
  let counters = state.nodes.get(node);
  if (counters) return counters;
  // A forged stream could name endless nodes.
  if (state.nodes.size >= MAX_NODES && node !== OTHER) return countersOf(state, OTHER);
  counters = {
    opened: new Map(),
    closed: new Map(),
    disconnects: new Map(),
    upgrades: new Map(),
    middleware: { connected: emptyHistogram(), refused: emptyHistogram() },
    appErrors: 0,
    dropped: new Map(),
    suppressed: 0,
    recoveries: new Map(),
  };
  state.nodes.set(node, counters);
  return counters;
}

function add(map: Map<string, number>, key: string, count = 1): void {
  const known = map.get(key);
  if (known !== undefined) map.set(key, known + count);
  else if (map.size < MAX_KEYS) map.set(key, count);
  else map.set(OTHER, (map.get(OTHER) ?? 0) + count);
}

function observe(histogram: DurationHistogram, ms: number): void {
  let bucket = MIDDLEWARE_BUCKETS_MS.findIndex((bound) => ms <= bound);
  if (bucket < 0) bucket = MIDDLEWARE_BUCKETS_MS.length;
  histogram.buckets[bucket]!++;
  histogram.sumMs += ms;
  histogram.count++;
}

export function foldCounters(state: CountersState, event: LogEvent): CountersState {
  switch (event.type) {
    case 'conn.open':
      add(countersOf(state, event.node).opened, `${event.transport}/${event.protocol}`);
      break;
    case 'conn.close':
      add(countersOf(state, event.node).closed, event.reason);
      break;
    case 'socket.disconnect':
      add(countersOf(state, event.node).disconnects, event.reason);
      break;
    case 'conn.upgrade':
      add(countersOf(state, event.node).upgrades, event.step);
      break;
    case 'socket.connect':
      if (event.middlewareMs !== undefined) observe(countersOf(state, event.node).middleware.connected, event.middlewareMs);
      break;
    case 'socket.refused':
      if (event.middlewareMs !== undefined) observe(countersOf(state, event.node).middleware.refused, event.middlewareMs);
      break;
    case 'app.error':
      countersOf(state, event.node).appErrors++;
      break;
    case 'log.dropped':
      add(countersOf(state, event.node).dropped, event.sink, event.count);
      break;
    case 'log.suppressed':
      countersOf(state, event.node).suppressed += event.count;
      break;
    case 'socket.recovery':
      add(countersOf(state, event.node).recoveries, event.recovered ? 'recovered' : (event.reason ?? 'unknown'));
      break;
    default:
      break;
  }
  return state;
}
