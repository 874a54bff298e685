/**
 * The inspector's HTTP endpoint, off unless the application turns it on, and
 * always behind the application's own `auth` function:
 *
 *   GET <path>/            the live inspector page
 *   GET <path>/snapshot    the snapshot as JSON, streamed (?limit=N cuts each list, ?closed=N, ?q=TEXT filters, ?socketRooms=0)
 *   GET <path>/events      Server-Sent Events: aggregated batches of new log events (?since=POSITION, or ?recent=N
 *                          to start N events back); ?live=1 adds the live model and immer's patches of it
 *   GET <path>/lanes       HTML swimlane cards of the latest connections in the log's memory (?limit=N, ?sid=SID)
 *   GET <path>/timeline    the same as `iostate inspect` draws, for the events in memory
 *   GET <path>/machines    Mermaid text of the lifecycle machines (?machine=connection|socket|namespace)
 *   GET <path>/metrics     Prometheus metrics (metrics.ts), with `metrics: true`; `metrics: { path }` serves them
 *                          at a path of their own, behind the same Host check and auth
 *
 * Routes match the raw request path, never a normalised one: a proxy that
 * keeps `/iostate` private must not be walked around with
 * `/x/../iostate/snapshot` or `%2E%2E`. A request whose Host is not this
 * server's (allowed-hosts.ts) gets 403 before `auth` runs. Then `auth(req)`
 * answering false gives 401 when the request carries no Authorization
 * header and 403 when it carries one that was refused.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHostCheck } from './allowed-hosts';
import { buildLanes } from './lanes';
import { renderConnectionCards } from './lanes-svg';
import { LIFECYCLE_MACHINES, lifecycleMermaid, machineToMermaid } from './mermaid';
import { renderInspectorPage } from './page';
import { selectSnapshot, type InspectableServer } from './snapshot';
import { writeSnapshot } from './snapshot-stream';
import { EventStream, type EventStreamOptions } from './event-stream';
import { LiveModelFollower } from './live-model';
import { createMetricsRegistry } from './metrics';
import type { Registry } from 'prom-client';
import { renderTimelineHtml } from './timeline';

export const DEFAULT_INSPECTOR_PATH = '/iostate';

export interface InspectorOptions {
  /** Where the inspector lives. Default "/iostate". */
  path?: string;
  /** Decides whether a request may read the inspector. Required: the inspector shows every client's address. */
  auth: (req: IncomingMessage) => boolean | Promise<boolean>;
  /**
   * Host names (no port) the inspector answers to besides localhost,
   * 127.0.0.1, [::1], the machine's host name and the address a request
   * arrived on: the names a reverse proxy forwards, e.g. ["ops.example.com"].
   */
  allowedHosts?: readonly string[];
  /** With a realm, a 401 asks browsers for HTTP Basic credentials (`WWW-Authenticate`). */
  realm?: string;
  /** Pace of the live event stream. */
  stream?: EventStreamOptions;
  /**
   * Prometheus metrics (docs/metrics.md): `true` serves them at `<path>/metrics`,
   * `{ path: '/metrics' }` at a path of their own; behind the same Host check and auth either way. Default off.
   */
  metrics?: boolean | { path?: string };
}

/** Handles inspector requests: returns true when the request was its to answer. */
export interface InspectorHandler {
  (req: IncomingMessage, res: ServerResponse): boolean;
  readonly path: string;
  /** Ends the open event streams (call it when the server closes). */
  close(): void;
  /** The server's own prom-client registry that `/metrics` serves, when metrics are on: add your metrics to it. */
  readonly metrics?: Registry;
}

const MAX_LIST = 1_000_000;
const DEFAULT_LANES = 8;

const COMMON_HEADERS = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
/** The route of the metrics, whatever path they are served at: no request path can be it. */
const METRICS_ROUTE = '\u0000metrics';

const PAGE_POLICY =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'";

export function createInspectorHandler(io: InspectableServer, options: InspectorOptions): InspectorHandler {
  if (typeof options?.auth !== 'function') {
    throw new TypeError(
      "The inspector needs an auth function that checks a secret, e.g. { auth: basicAuth('admin', process.env.INSPECTOR_PASSWORD) } (see docs/inspector.md)",
    );
  }
  const path = normalizePath(options.path ?? DEFAULT_INSPECTOR_PATH);
  const hostAllowed = createHostCheck(options.allowedHosts);
  const metricsPath = metricsPathOf(options.metrics, path);
  const metrics = metricsPath === undefined ? undefined : createMetricsRegistry(io);
  const stream = new EventStream(io.log, options.stream, new LiveModelFollower(io));
  let page: string | undefined;

  const answer = async (req: IncomingMessage, res: ServerResponse, route: string, query: URLSearchParams) => {
    if (!hostAllowed(req)) return send(res, 403, 'text/plain', "forbidden: this Host is not one of the inspector's allowedHosts\n");
    let allowed: boolean;
    try {
      allowed = (await options.auth(req)) === true;
    } catch {
      return send(res, 500, 'text/plain', 'inspector auth function failed\n');
    }
    if (!allowed) {
      const refused = req.headers.authorization !== undefined;
      const challenge: Record<string, string> =
        !refused && options.realm ? { 'WWW-Authenticate': `Basic realm="${options.realm.replace(/"/g, '')}", charset="UTF-8"` } : {};
      return send(res, refused ? 403 : 401, 'text/plain', refused ? 'forbidden\n' : 'authentication required\n', challenge);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'only GET\n', { Allow: 'GET, HEAD' });

    switch (route) {
      case '':
        return send(res, 301, 'text/plain', '', { Location: `${path}/` });
      case '/':
        page ??= renderInspectorPage({ node: io.log.node });
        return send(res, 200, 'text/html', page, { 'Content-Security-Policy': PAGE_POLICY });
      case '/snapshot': {
        const limit = count(query, 'limit');
        const closed = count(query, 'closed');
        if (limit instanceof Error) return send(res, 400, 'text/plain', `${limit.message}\n`);
        if (closed instanceof Error) return send(res, 400, 'text/plain', `${closed.message}\n`);
        const match = query.get('q') ?? undefined;
        const socketRooms = query.get('socketRooms') !== '0';
        // Streamed, with no Content-Length: at 100k sockets the document is 33 MB (snapshot-stream.ts).
        const headers = { ...COMMON_HEADERS, 'Content-Type': 'application/json; charset=utf-8' };
        if (req.method === 'HEAD') return void res.writeHead(200, headers).end();
        const selection = selectSnapshot(io, { limit, closed, match, socketRooms });
        res.writeHead(200, headers);
        await writeSnapshot(res, selection);
        return;
      }
      case '/events': {
        const since = query.get('since') ?? req.headers['last-event-id'];
        let parsed = since === undefined ? undefined : Number(since);
        if (parsed !== undefined && !Number.isInteger(parsed)) return send(res, 400, 'text/plain', 'since must be an integer log position\n');
        const recent = count(query, 'recent');
        if (recent instanceof Error) return send(res, 400, 'text/plain', `${recent.message}\n`);
        // A reconnecting browser's Last-Event-ID wins over `recent`, which only places the first cursor.
        if (parsed === undefined && recent !== undefined) parsed = Math.max(0, io.log.lastPosition - recent);
        if (req.method === 'HEAD') return send(res, 200, 'text/event-stream', '');
        res.setHeader('X-Content-Type-Options', 'nosniff');
        return stream.open(req, res, parsed, query.get('live') === '1');
      }
      case '/lanes': {
        const limit = count(query, 'limit');
        if (limit instanceof Error) return send(res, 400, 'text/plain', `${limit.message}\n`);
        if (!io.log.retaining)
          return send(res, 200, 'text/html', '<p class="note">The event log keeps no events in memory (eventLog: false): no swimlanes.</p>');
        const lanes = buildLanes(io.log.events(), { sid: query.get('sid') ?? undefined, latest: limit ?? DEFAULT_LANES, now: Date.now() });
        return send(res, 200, 'text/html', renderConnectionCards(lanes.reverse()));
      }
      case '/timeline':
        return send(
          res,
          200,
          'text/html',
          renderTimelineHtml(io.log.events(), { title: `iostate timeline · ${io.log.node}`, source: 'events in the live log', now: Date.now() }),
          {
            'Content-Security-Policy': PAGE_POLICY,
          },
        );
      case '/machines': {
        const name = query.get('machine');
        if (name === null) return send(res, 200, 'text/plain', `${lifecycleMermaid()}\n`);
        const machine = Object.hasOwn(LIFECYCLE_MACHINES, name) ? LIFECYCLE_MACHINES[name] : undefined;
        if (!machine) return send(res, 404, 'text/plain', `no machine "${name}"; try ${Object.keys(LIFECYCLE_MACHINES).join(', ')}\n`);
        return send(res, 200, 'text/plain', `${machineToMermaid(machine)}\n`);
      }
      case METRICS_ROUTE:
        return send(res, 200, metrics!.contentType.replace(/;\s*charset=utf-8$/i, ''), await metrics!.metrics());
      default:
        return send(res, 404, 'text/plain', `not found: ${path}${route}\n`);
    }
  };

  const handler = ((req: IncomingMessage, res: ServerResponse): boolean => {
    const target = req.url ?? '/';
    const mark = target.indexOf('?');
    const rawPath = mark < 0 ? target : target.slice(0, mark);
    const isMetrics = rawPath === metricsPath;
    if (!isMetrics && rawPath !== path && !rawPath.startsWith(`${path}/`)) return false;
    const query = new URLSearchParams(mark < 0 ? '' : target.slice(mark + 1));
    answer(req, res, isMetrics ? METRICS_ROUTE : rawPath.slice(path.length), query).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain', 'inspector failed\n');
      else res.destroy();
    });
    return true;
  }) as InspectorHandler;
  Object.defineProperty(handler, 'path', { value: path, enumerable: true });
  if (metrics) Object.defineProperty(handler, 'metrics', { value: metrics, enumerable: true });
  handler.close = () => stream.close();
  return handler;
}

/** Segments of plain characters only: routes are compared raw, so the path must read the same raw and decoded. */
const PLAIN_PATH = /^(?:\/[\w\-~!$&'()*+,;=:@.]+)+$/;

function normalizePath(path: string, what = 'inspector path'): string {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new TypeError(`The ${what} must start with "/", got ${JSON.stringify(path)}`);
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') throw new TypeError(`The ${what} cannot be "/": give it a path of its own, e.g. "/iostate"`);
  if (!PLAIN_PATH.test(trimmed) || trimmed.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new TypeError(
      `The ${what} must be plain segments (letters, digits, - _ . ~ and the like; no %, "." or ".." segment, nor "//"), got ${JSON.stringify(path)}`,
    );
  }
  return trimmed;
}

/** Where the metrics are served, or undefined when they are off. */
function metricsPathOf(option: InspectorOptions['metrics'], inspectorPath: string): string | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return `${inspectorPath}/metrics`;
  if (typeof option !== 'object' || option === null || (option.path !== undefined && typeof option.path !== 'string')) {
    throw new TypeError(`The inspector option metrics must be true, false or { path }, got ${JSON.stringify(option)}`);
  }
  if (option.path === undefined) return `${inspectorPath}/metrics`;
  const path = normalizePath(option.path, 'metrics path');
  if (path === inspectorPath) throw new TypeError(`The metrics path cannot be the inspector's own path ${inspectorPath}`);
  return path;
}

/** A positive integer query parameter, undefined when absent, an Error when malformed. */
function count(query: URLSearchParams, name: string): number | undefined | Error {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > MAX_LIST) return new Error(`${name} must be an integer from 0 to ${MAX_LIST}`);
  return value;
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': `${type}; charset=utf-8`, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}
