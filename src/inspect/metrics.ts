/**
 * Prometheus metrics of one server, read from its log's projections when
 * scraped: what is open now from the sessions projection, what happened
 * since the start from the counters projection (src/log/projections/counters.ts).
 * Nothing is counted on the hot path; a scrape walks the open sessions and
 * sockets once. Only this node's connections are exported: in a cluster the
 * log also folds the other nodes' records, which they export themselves.
 *
 * Each server gets its own prom-client Registry, never the global default:
 * two servers in one process (tests, a server per port) must not collide,
 * and an application that wants one page merges them (`Registry.merge`).
 * prom-client formats the exposition and escapes label values; label values
 * that clients can choose (namespace names) are capped in number.
 *
 * prom-client is required on the first registry, not imported: loading it
 * takes ~100 ms, which a server without metrics (the default) must not pay
 * at start-up just because the package entry reaches this module.
 */
import type * as PromClient from 'prom-client';
import type { Histogram, MetricObjectWithValues, MetricValueWithName, Registry } from 'prom-client';
import type { EventLog } from '../log/event-log';
import { countersOf, MIDDLEWARE_BUCKETS_MS, OTHER, type DurationHistogram } from '../log/projections';

/** Namespaces given a series of their own in `iostate_sockets`; the rest are summed under "(other)". */
export const MAX_NAMESPACE_SERIES = 100;

const STATES = ['open', 'upgrading'] as const;
const TRANSPORTS = ['polling', 'websocket'] as const;
const PROTOCOLS = ['3', '4'] as const;

/** The registry that `/metrics` serves for `io`: its metrics read `io.log` on every scrape. */
export function createMetricsRegistry(io: { readonly log: EventLog }): Registry {
  const prom = loadPromClient();
  const registry = new prom.Registry();
  const log = io.log;
  const local = () => countersOf(log.projections.counters, log.node);

  new prom.Gauge({
    name: 'iostate_connections',
    help: 'Open Engine.IO connections of this node, by state (open, upgrading), transport and Engine.IO protocol (3: socket.io-client 2.x, 4: 3.x/4.x).',
    labelNames: ['state', 'transport', 'protocol'],
    registers: [registry],
    collect() {
      // Counted by index (state, transport, protocol: one bit each), no string per session: a scrape walks them all.
      const counts = [0, 0, 0, 0, 0, 0, 0, 0];
      for (const session of log.projections.sessions.sessions()) {
        if (session.node !== log.node || (session.status !== 'open' && session.status !== 'upgrading')) continue;
        counts[(session.status === 'upgrading' ? 4 : 0) + (session.transport === 'websocket' ? 2 : 0) + (session.protocol === 4 ? 1 : 0)]!++;
      }
      // Every combination, zeros included: a series that vanishes reads as "no data", not 0.
      STATES.forEach((state, s) =>
        TRANSPORTS.forEach((transport, t) => PROTOCOLS.forEach((protocol, p) => this.set({ state, transport, protocol }, counts[s * 4 + t * 2 + p]!))),
      );
    },
  });

  new prom.Gauge({
    name: 'iostate_sockets',
    help: `Connected Socket.IO sockets of this node, by namespace (past ${MAX_NAMESPACE_SERIES} namespaces, the rest under "${OTHER}").`,
    labelNames: ['nsp'],
    registers: [registry],
    collect() {
      const counts = new Map<string, number>();
      for (const socket of log.projections.sessions.sockets()) {
        if (socket.node !== log.node || socket.status !== 'connected') continue;
        const nsp = counts.has(socket.nsp) || counts.size < MAX_NAMESPACE_SERIES ? socket.nsp : OTHER;
        counts.set(nsp, (counts.get(nsp) ?? 0) + 1);
      }
      this.reset();
      this.set({ nsp: '/' }, 0);
      for (const [nsp, count] of counts) this.set({ nsp }, count);
    },
  });

  const counter = counterOf(prom, registry);
  counter(
    'iostate_connections_opened_total',
    'Engine.IO connections opened on this node, by first transport and Engine.IO protocol.',
    ['transport', 'protocol'],
    () =>
      [...local().opened].map(([key, count]) => {
        const [transport, protocol] = key.split('/');
        return [{ transport: transport!, protocol: protocol! }, count];
      }),
  );
  counter(
    'iostate_connections_closed_total',
    'Engine.IO connections closed on this node, by the reason the engine gave (ping timeout, transport close…).',
    ['reason'],
    () => [...local().closed].map(([reason, count]) => [{ reason }, count]),
  );
  counter('iostate_socket_disconnects_total', 'Socket.IO sockets disconnected on this node, by the reason given to their disconnect event.', ['reason'], () =>
    [...local().disconnects].map(([reason, count]) => [{ reason }, count]),
  );
  counter('iostate_upgrades_total', 'Transport upgrade steps on this node: probe (started), upgraded, failed.', ['step'], () =>
    ['probe', 'upgraded', 'failed'].map((step) => [{ step }, local().upgrades.get(step) ?? 0]),
  );
  counter('iostate_app_errors_total', 'Application handlers and middlewares that threw or rejected on this node (the server carried on).', [], () => [
    [{}, local().appErrors],
  ]);
  counter(
    'iostate_recoveries_total',
    'Connection state recovery attempts on this node, by outcome: recovered, or the reason it failed (window expired, buffer bound reached…; docs/recovery.md).',
    ['outcome'],
    () => [...local().recoveries].map(([outcome, count]) => [{ outcome }, count]),
  );
  counter('iostate_log_dropped_records_total', 'Log records a sink could not write (a full disk), by sink.', ['sink'], () =>
    [...local().dropped].map(([sink, count]) => [{ sink }, count]),
  );
  counter(
    'iostate_log_suppressed_records_total',
    'Log records held back because their connection went over its share of the log (they still count here).',
    [],
    () => [[{}, local().suppressed]],
  );

  registry.registerMetric(
    projectedHistogram(
      prom.Histogram,
      'iostate_middleware_duration_seconds',
      "Time from a socket's namespace CONNECT to its middlewares' answer on this node, by outcome: connected or refused (an error or connectTimeout).",
      () => [
        ['connected', local().middleware.connected],
        ['refused', local().middleware.refused],
      ],
    ),
  );
  return registry;
}

function loadPromClient(): typeof PromClient {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load: see the top of this file
  return require('prom-client') as typeof PromClient;
}

type Labels = Record<string, string>;

/** Registers in `registry` counters whose values are set from a projection on each scrape. */
function counterOf(prom: typeof PromClient, registry: Registry) {
  return (name: string, help: string, labelNames: string[], read: () => [Labels, number][]): void => {
    new prom.Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const [labels, count] of read()) this.inc(labels, count);
      },
    });
  };
}

/**
 * A histogram whose buckets the counters projection already holds: prom-client
 * formats it, but its values are not observed one by one (a scrape would
 * otherwise replay every connection since the start).
 */
function projectedHistogram(
  HistogramClass: typeof Histogram,
  metric: string,
  description: string,
  read: () => [string, DurationHistogram][],
): Histogram<'outcome'> {
  return new (class ProjectedHistogram extends HistogramClass<'outcome'> {
    constructor() {
      super({ name: metric, help: description, labelNames: ['outcome'], buckets: MIDDLEWARE_BUCKETS_MS.map((ms) => ms / 1000), registers: [] });
    }

    override async get(): Promise<MetricObjectWithValues<MetricValueWithName<'outcome'>>> {
      const values: (MetricValueWithName<'outcome'> & { labels: { le?: number | string } })[] = [];
      for (const [outcome, histogram] of read()) {
        let cumulative = 0;
        MIDDLEWARE_BUCKETS_MS.forEach((ms, index) => {
          cumulative += histogram.buckets[index]!;
          values.push({ metricName: `${metric}_bucket`, labels: { outcome, le: ms / 1000 }, value: cumulative });
        });
        values.push({ metricName: `${metric}_bucket`, labels: { outcome, le: '+Inf' }, value: histogram.count });
        values.push({ metricName: `${metric}_sum`, labels: { outcome }, value: histogram.sumMs / 1000 });
        values.push({ metricName: `${metric}_count`, labels: { outcome }, value: histogram.count });
      }
      // prom-client's typings say MetricType for `type`; its registry writes the string it holds, 'histogram'.
      return { name: metric, help: description, type: 'histogram', aggregator: 'sum', values } as unknown as MetricObjectWithValues<
        MetricValueWithName<'outcome'>
      >;
    }

    /** What the registry formats the text exposition from (prom-client asks it before `get`). */
    getForPromString(): Promise<MetricObjectWithValues<MetricValueWithName<'outcome'>>> {
      return this.get();
    }
  })();
}
