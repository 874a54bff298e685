/**
 * `/metrics`: Prometheus metrics read from the log's projections, scraped
 * over HTTP behind the inspector's Host check and auth, parsed with a real
 * parser of the exposition format (prom2javascript: it checks every line
 * and that a histogram's +Inf bucket equals its count), with real clients
 * of both generations.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { io as connectV4, type Socket as ClientV4, type SocketOptions, type ManagerOptions } from 'socket.io-client';
import connectV2 from 'socket.io-client-v2';
import { getMetricsFromIterator, type PromData, type PromHistogramData, type PromMetrics } from 'prom2javascript';
import { Server, type ServerOptions } from '../../src/actors/server';
import { basicAuth } from '../../src/inspect/basic-auth';
import { createMetricsRegistry, MAX_NAMESPACE_SERIES } from '../../src/inspect/metrics';
import { EventLog } from '../../src/log/event-log';
import { emptyProjections, foldAll, OTHER } from '../../src/log/projections';
import { until } from './live';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const AUTH = `Basic ${Buffer.from('prometheus:scrape-secret').toString('base64')}`;

async function start(options: ServerOptions) {
  const server = http.createServer();
  const io = new Server(server, options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: { close(): void }[] = [];
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const client of clients) client.close();
        server.closeAllConnections();
        io.close(() => resolve());
      }),
  );
  const track = <T extends { close(): void }>(client: T) => (clients.push(client), client);
  return {
    io,
    url,
    v4: (nsp: string, opts: Partial<ManagerOptions & SocketOptions> = {}) => track(connectV4(`${url}${nsp}`, { forceNew: true, reconnection: false, ...opts })),
    v2: (nsp: string, opts: Record<string, unknown> = {}) => track(connectV2(`${url}${nsp}`, { forceNew: true, reconnection: false, ...opts })),
  };
}

const connected = (client: { once(event: string, fn: (...args: any[]) => void): unknown }) =>
  new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('connect_error', (error: Error) => reject(error));
  });

/** Drops a client's TCP connection without a WebSocket close frame, as a killed process would. */
function killSocket(client: ClientV4): void {
  (client.io.engine.transport as unknown as { ws: { _socket: { destroy(): void } } }).ws._socket.destroy();
}

async function scrape(url: string, headers: Record<string, string> = { authorization: AUTH }): Promise<PromMetrics> {
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  const text = await res.text();
  return getMetricsFromIterator(text.split('\n')[Symbol.iterator]());
}

/** The value of the sample of `name` whose labels include `labels`; 0 when there is none. */
function value(metrics: PromMetrics, name: string, labels: Record<string, string> = {}): number {
  const metric = metrics[name];
  if (!metric) throw new Error(`no metric ${name}`);
  const sample = (metric.data as PromData[]).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return sample?.value ?? 0;
}

function histogram(metrics: PromMetrics, name: string, labels: Record<string, string>): PromHistogramData {
  const sample = (metrics[name]!.data as PromHistogramData[]).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (!sample) throw new Error(`no ${name} with ${JSON.stringify(labels)}`);
  return sample;
}

describe('/metrics of a live server', () => {
  it('counts connections by state, transport and protocol, sockets by namespace, middleware time, upgrades and disconnects', async () => {
    const live = await start({ inspector: { auth: basicAuth('prometheus', 'scrape-secret'), metrics: true } });
    live.io.of('/chat').use((_socket, next) => void setTimeout(next, 300));
    live.io.of('/admin').use((_socket, next) => next(new Error('not an admin')));

    const websocketOnly = live.v4('/', { transports: ['websocket'] });
    const upgrading = live.v4('/');
    const legacyPolling = live.v2('/', { transports: ['polling'] });
    const chat = live.v4('/chat', { transports: ['websocket'] });
    const admin = connected(live.v4('/admin', { transports: ['websocket'] }));
    admin.catch(() => {}); // awaited below, once the others are in
    await Promise.all([connected(websocketOnly), connected(upgrading), connected(legacyPolling), connected(chat)]);
    await expect(admin).rejects.toThrow('not an admin');
    await until(() => (upgrading as ClientV4).io.engine.transport.name === 'websocket', 'the upgrade', 10_000);
    // socket.io-client closes the connection of a refused socket when it has no other.
    const closes = () => live.io.log.events().filter((e) => e.type === 'conn.close').length;
    await until(() => closes() === 1, 'the refused client to leave', 10_000);

    const endpoint = `${live.url}/iostate/metrics`;
    let metrics = await scrape(endpoint);
    expect(value(metrics, 'iostate_connections', { state: 'open', transport: 'websocket', protocol: '4' })).toBe(3);
    expect(value(metrics, 'iostate_connections', { state: 'open', transport: 'polling', protocol: '3' })).toBe(1);
    expect(value(metrics, 'iostate_connections', { state: 'open', transport: 'polling', protocol: '4' })).toBe(0);
    expect(value(metrics, 'iostate_sockets', { nsp: '/' })).toBe(3);
    expect(value(metrics, 'iostate_sockets', { nsp: '/chat' })).toBe(1);
    expect(value(metrics, 'iostate_sockets', { nsp: '/admin' })).toBe(0);
    expect(value(metrics, 'iostate_connections_opened_total', { transport: 'websocket', protocol: '4' })).toBe(3);
    expect(value(metrics, 'iostate_connections_closed_total', { reason: 'transport close' })).toBe(1);
    expect(value(metrics, 'iostate_connections_opened_total', { transport: 'polling', protocol: '4' })).toBe(1);
    expect(value(metrics, 'iostate_connections_opened_total', { transport: 'polling', protocol: '3' })).toBe(1);
    expect(value(metrics, 'iostate_upgrades_total', { step: 'upgraded' })).toBe(1);
    expect(value(metrics, 'iostate_upgrades_total', { step: 'failed' })).toBe(0);

    // Four sockets connected (three through no middleware, /chat through 300 ms of it), one refused.
    // The margins are wide: a loaded machine may delay the fast ones, never by 250 ms.
    const passed = histogram(metrics, 'iostate_middleware_duration_seconds', { outcome: 'connected' });
    expect(passed.count).toBe(4);
    expect(passed.buckets['0.25']).toBe(3);
    expect(passed.buckets['+Inf']).toBe(4);
    expect(passed.sum).toBeGreaterThanOrEqual(0.29);
    const refused = histogram(metrics, 'iostate_middleware_duration_seconds', { outcome: 'refused' });
    expect(refused.count).toBe(1);
    expect(metrics.iostate_middleware_duration_seconds?.type).toBe('histogram');

    // A client that leaves, and one killed (its TCP connection dropped, no close frame): the reasons they gave.
    upgrading.close();
    await until(() => closes() === 2, 'the close', 10_000);
    killSocket(websocketOnly as ClientV4);
    await until(() => closes() === 3, 'the kill', 10_000);
    metrics = await scrape(endpoint);
    expect(value(metrics, 'iostate_socket_disconnects_total', { reason: 'client namespace disconnect' })).toBe(1);
    expect(value(metrics, 'iostate_socket_disconnects_total', { reason: 'transport close' })).toBe(1);
    expect(value(metrics, 'iostate_connections_closed_total', { reason: 'transport close' })).toBe(3);
    expect(value(metrics, 'iostate_connections', { state: 'open', transport: 'websocket', protocol: '4' })).toBe(1);
    expect(value(metrics, 'iostate_sockets', { nsp: '/' })).toBe(1);

    // The counters are a fold of the log: replaying the same events gives the same numbers.
    const replayed = emptyProjections();
    for (const event of live.io.log.events()) foldAll(replayed, event);
    expect(replayed.counters).toEqual(live.io.log.projections.counters);
  });

  it('sits behind the inspector Host check and auth, and is off unless asked for', async () => {
    const live = await start({ inspector: { auth: basicAuth('prometheus', 'scrape-secret'), metrics: true } });
    const endpoint = `${live.url}/iostate/metrics`;
    expect((await fetch(endpoint)).status).toBe(401);
    expect((await fetch(endpoint, { headers: { authorization: `Basic ${Buffer.from('prometheus:wrong').toString('base64')}` } })).status).toBe(403);
    const port = new URL(live.url).port;
    const rebound = await new Promise<number>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/iostate/metrics', headers: { host: `attacker.example:${port}`, authorization: AUTH } }, (res) =>
          resolve(res.statusCode!),
        )
        .on('error', reject);
    });
    expect(rebound).toBe(403);
    expect((await fetch(endpoint, { method: 'POST', headers: { authorization: AUTH } })).status).toBe(405);

    const without = await start({ inspector: { auth: () => true } });
    expect((await fetch(`${without.url}/iostate/metrics`)).status).toBe(404);
    expect(without.io.inspector?.metrics).toBeUndefined();
  });

  it('gives each server its own registry, at a path of its own if asked', async () => {
    const a = await start({ inspector: { auth: basicAuth('prometheus', 'scrape-secret'), metrics: { path: '/metrics' } } });
    const b = await start({ inspector: { auth: basicAuth('prometheus', 'scrape-secret'), metrics: true } });
    const one = a.v4('/', { transports: ['websocket'] });
    const two = a.v4('/', { transports: ['websocket'] });
    const three = b.v2('/', { transports: ['polling'] });
    await Promise.all([connected(one), connected(two), connected(three)]);

    const ma = await scrape(`${a.url}/metrics`);
    const mb = await scrape(`${b.url}/iostate/metrics`);
    expect(value(ma, 'iostate_sockets', { nsp: '/' })).toBe(2);
    expect(value(mb, 'iostate_sockets', { nsp: '/' })).toBe(1);
    expect(value(ma, 'iostate_connections_opened_total', { transport: 'polling', protocol: '3' })).toBe(0);
    expect(value(mb, 'iostate_connections_opened_total', { transport: 'polling', protocol: '3' })).toBe(1);
    expect(a.io.inspector?.metrics).not.toBe(b.io.inspector?.metrics);
    // At its own path, the metrics are not also under the inspector's.
    expect((await fetch(`${a.url}/iostate/metrics`, { headers: { authorization: AUTH } })).status).toBe(404);
    expect((await fetch(`${a.url}/metrics`)).status).toBe(401);
  });

  it('refuses a metrics option it cannot use', async () => {
    await expect(start({ inspector: { auth: () => true, metrics: { path: 'metrics' } } })).rejects.toThrow('The metrics path must start with "/"');
    await expect(start({ inspector: { auth: () => true, path: '/ops', metrics: { path: '/ops/' } } })).rejects.toThrow("cannot be the inspector's own path");
    await expect(start({ inspector: { auth: () => true, metrics: 'yes' as never } })).rejects.toThrow('must be true, false or { path }');
  });
});

describe('metrics from a log', () => {
  it('caps namespace series, escapes hostile names and exports only its own node', async () => {
    const log = new EventLog({ node: 'here' });
    log.record({
      type: 'conn.open',
      sid: 's1',
      protocol: 4,
      transport: 'websocket',
      remoteAddress: '::1',
      pingInterval: 1,
      pingTimeout: 1,
      upgradeTimeout: 1,
      maxPayload: 1,
      upgrades: [],
    });
    const hostile = '/a"b\\c\nd\u202e';
    const names = [hostile, ...Array.from({ length: MAX_NAMESPACE_SERIES + 20 }, (_, i) => `/n${i}`)];
    names.forEach((nsp, i) => log.record({ type: 'socket.connect', sid: 's1', socketId: `k${i}`, nsp, protocol: 5 }));
    // Another node's records: in the projections, not in this node's metrics.
    log.ingest({
      seq: 1,
      ts: Date.now(),
      node: 'there',
      type: 'conn.open',
      sid: 't1',
      protocol: 3,
      transport: 'polling',
      remoteAddress: 'x',
      pingInterval: 1,
      pingTimeout: 1,
      upgradeTimeout: 1,
      maxPayload: 1,
      upgrades: [],
    });
    log.ingest({ seq: 2, ts: Date.now(), node: 'there', type: 'socket.disconnect', socketId: 'z', nsp: '/', reason: 'ping timeout', initiator: 'server' });

    const text = await createMetricsRegistry({ log }).metrics();
    const metrics = await getMetricsFromIterator(text.split('\n')[Symbol.iterator]());
    const sockets = metrics.iostate_sockets!.data as PromData[];
    // "/" is always listed, plus MAX_NAMESPACE_SERIES namespaces and the rest under OTHER.
    expect(sockets).toHaveLength(MAX_NAMESPACE_SERIES + 2);
    expect(sockets.find((s) => s.labels.nsp === hostile)?.value).toBe(1);
    expect(sockets.find((s) => s.labels.nsp === OTHER)?.value).toBe(names.length - MAX_NAMESPACE_SERIES);
    expect(sockets.reduce((sum, s) => sum + s.value, 0)).toBe(names.length);
    expect(value(metrics, 'iostate_connections', { transport: 'polling', protocol: '3' })).toBe(0);
    expect(value(metrics, 'iostate_connections_opened_total', { transport: 'polling', protocol: '3' })).toBe(0);
    expect(metrics.iostate_socket_disconnects_total!.data).toEqual([]);
  });
});
