import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { buildSnapshot, inspectSnapshotSchema, type InspectSnapshot } from '../../src/inspect/snapshot';
import type { EventBatch } from '../../src/inspect/event-stream';
import { createInspectorHandler } from '../../src/inspect/http-endpoint';
import { attachInspector } from '../../src/inspect/attach';
import { basicAuth } from '../../src/inspect/basic-auth';
import { Server } from '../../src/actors/server';
import { io as connectClient } from 'socket.io-client';
import { EventLog } from '../../src/log/event-log';
import { startLive, until } from './live';

const allow = () => true;

interface SseMessage {
  event: string;
  id?: string;
  data: any;
}

/** Reads a Server-Sent Events response into parsed messages. */
function openStream(url: string, headers: Record<string, string> = {}) {
  const messages: SseMessage[] = [];
  let buffer = '';
  let request!: http.ClientRequest;
  const ready = new Promise<http.IncomingMessage>((resolve, reject) => {
    request = http.get(url, { headers }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((line) => line && !line.startsWith(':'))
              .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
          );
          if (fields.data !== undefined) messages.push({ event: fields.event ?? 'message', id: fields.id, data: JSON.parse(fields.data) });
        }
      });
      resolve(res);
    });
    request.on('error', reject);
  });
  return {
    messages,
    ready,
    close: () => request.destroy(),
    batches: () => messages.filter((m) => m.event === 'batch').map((m) => m.data as EventBatch),
  };
}

async function getJson(url: string): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, body: res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text, headers: res.headers };
}

describe('snapshot of a live server', () => {
  it('validates against the schema, with real 4.x and 2.x clients, their rooms and transports', async () => {
    const live = await startLive({ auth: allow });
    live.io.on('connection', (socket) => socket.join('lobby'));
    const v4 = await live.clientV4();
    const v2 = await live.clientV2();
    const chat = live.io.of('/chat');
    chat.on('connection', (socket) => socket.join(['general', 'random']));
    const v4chat = await live.clientV4('/chat');
    await until(() => live.io.log.projections.rooms.membersOf('/chat', 'random')?.size === 1, 'the /chat joins');
    await until(() => live.io.engine.clients[v4.io.engine.id]?.transport.name === 'websocket', 'the 4.x upgrade');

    const direct = inspectSnapshotSchema.parse(buildSnapshot(live.io));
    const { status, body } = await getJson(`${live.url}/iostate/snapshot`);
    expect(status).toBe(200);
    const served: InspectSnapshot = inspectSnapshotSchema.parse(body);

    for (const snapshot of [direct, served]) {
      expect(snapshot.totals.sockets).toBe(3);
      expect(snapshot.totals.connections).toBe(3);
      expect(snapshot.namespaces.map((n) => n.name).sort()).toEqual(['/', '/chat']);
      const v4socket = snapshot.sockets.find((s) => s.id === v4.id)!;
      expect(v4socket).toMatchObject({ nsp: '/', state: 'connected', transport: 'websocket', connection: v4.io.engine.id, protocol: 5 });
      expect(v4socket.rooms.sort()).toEqual([v4.id, 'lobby'].sort());
      expect(snapshot.sockets.find((s) => s.id === v2.id)).toMatchObject({ protocol: 4, connection: v2.io.engine.id });
      expect(snapshot.sockets.find((s) => s.nsp === '/chat')!.rooms).toEqual(expect.arrayContaining(['general', 'random']));
      const v2conn = snapshot.connections.find((c) => c.sid === v2.io.engine.id)!;
      expect(v2conn).toMatchObject({ protocol: 3, sockets: 1 });
      expect(v2conn.remoteAddress).toMatch(/127\.0\.0\.1$/);
      expect(snapshot.rooms).toContainEqual({ nsp: '/', name: 'lobby', members: 2, socketRoom: false });
    }
    expect(served.connections.find((c) => c.sid === v4.io.engine.id)).toMatchObject({ state: 'websocket', transports: ['polling', 'websocket'] });
    expect(v4chat.connected).toBe(true);
  });

  it('lists a closed connection with the reason and its explanation', async () => {
    const live = await startLive({ auth: allow });
    const client = await live.clientV4();
    const sid = client.io.engine.id;
    client.close();
    await until(() => live.io.log.projections.sessions.session(sid)?.status === 'closed', 'the close');
    const { body } = await getJson(`${live.url}/iostate/snapshot?closed=5`);
    const closed = inspectSnapshotSchema.parse(body).closed.find((c) => c.sid === sid)!;
    expect(closed.reason).toBe('transport close');
    expect(closed.explanation).toMatch(/^transport close: /);
  });

  it('cuts lists with ?limit and refuses a malformed one', async () => {
    const live = await startLive({ auth: allow });
    await live.clientV4();
    await live.clientV4();
    const { body } = await getJson(`${live.url}/iostate/snapshot?limit=1`);
    expect(body.sockets).toHaveLength(1);
    expect(body.totals.sockets).toBe(2);
    expect(body.truncated).toBe(true);
    expect((await fetch(`${live.url}/iostate/snapshot?limit=lots`)).status).toBe(400);
  });
});

describe('inspector auth', () => {
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const auth = (req: http.IncomingMessage) => req.headers.authorization === basic('admin', 'secret');

  it('answers 401 without credentials, 403 with wrong ones, 200 with the right ones, on every route', async () => {
    const live = await startLive({ auth, realm: 'iostate' });
    for (const route of ['/', '/snapshot', '/events', '/machines', '/lanes', '/timeline']) {
      const url = `${live.url}/iostate${route}`;
      const anonymous = await fetch(url);
      expect(anonymous.status, route).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="iostate", charset="UTF-8"');
      expect(await anonymous.text()).not.toContain('{');
      expect((await fetch(url, { headers: { authorization: basic('admin', 'guess') } })).status, route).toBe(403);
    }
    const ok = await fetch(`${live.url}/iostate/snapshot`, { headers: { authorization: basic('admin', 'secret') } });
    expect(ok.status).toBe(200);
    expect(inspectSnapshotSchema.safeParse(await ok.json()).success).toBe(true);
  });

  it('basicAuth lets in the right credentials only, and without a password nobody', async () => {
    const live = await startLive({ auth: basicAuth('admin', 's3cret:with colon'), realm: 'iostate' });
    const status = async (authorization?: string) => (await fetch(`${live.url}/iostate/snapshot`, { headers: authorization ? { authorization } : {} })).status;
    expect(await status(basic('admin', 's3cret:with colon'))).toBe(200);
    expect(await status(`basic  ${Buffer.from('admin:s3cret:with colon').toString('base64')}`)).toBe(200);
    for (const wrong of [
      basic('admin', 's3cret'),
      basic('admin', 's3cret:with colonX'),
      basic('Admin', 's3cret:with colon'),
      'Bearer s3cret',
      'Basic !!!',
      `Basic ${basic('admin', 's3cret:with colon')}`,
    ]) {
      expect(await status(wrong), wrong).toBe(403);
    }
    expect(await status()).toBe(401);

    const warnings: string[] = [];
    const onWarning = (warning: Error & { code?: string }) => warnings.push(warning.code ?? '');
    process.on('warning', onWarning);
    try {
      const locked = await startLive({ auth: basicAuth('admin', process.env.IOSTATE_TEST_UNSET_PASSWORD) });
      expect((await fetch(`${locked.url}/iostate/snapshot`, { headers: { authorization: basic('admin', '') } })).status).toBe(403);
      expect((await fetch(`${locked.url}/iostate/snapshot`, { headers: { authorization: basic('admin', 'undefined') } })).status).toBe(403);
      await until(() => warnings.length > 0, 'the warning');
      expect(warnings).toEqual(['IOSTATE_INSPECTOR_NO_PASSWORD']);
    } finally {
      process.off('warning', onWarning);
    }
    expect(() => basicAuth('ad:min', 'x')).toThrow(/user name/);
  });

  it('awaits an async auth, and a throwing one gives 500 without taking the server down', async () => {
    let calls = 0;
    const live = await startLive({
      auth: async (req) => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (req.headers['x-boom']) throw new Error('auth backend down');
        return req.headers['x-token'] === 't0ken';
      },
    });
    expect((await fetch(`${live.url}/iostate/snapshot`, { headers: { 'x-token': 't0ken' } })).status).toBe(200);
    expect((await fetch(`${live.url}/iostate/snapshot`)).status).toBe(401);
    expect((await fetch(`${live.url}/iostate/snapshot`, { headers: { 'x-boom': '1' } })).status).toBe(500);
    expect((await fetch(`${live.url}/iostate/snapshot`, { headers: { 'x-token': 't0ken' } })).status).toBe(200);
    expect(calls).toBe(4);
  });

  it('is off unless created, needs an auth function, and leaves other paths alone', async () => {
    const log = new EventLog();
    expect(() => createInspectorHandler({ log, nsps: new Map() }, {} as never)).toThrow(/needs an auth function/);
    expect(() => createInspectorHandler({ log, nsps: new Map() }, { auth: allow, path: '/' })).toThrow(/cannot be "\/"/);
    const live = await startLive({ auth: allow, path: '/debug/io/' });
    expect(live.inspector.path).toBe('/debug/io');
    expect((await fetch(`${live.url}/iostate/snapshot`)).status).toBe(404);
    expect((await fetch(`${live.url}/debug/iox`)).status).toBe(404);
    expect((await fetch(`${live.url}/debug/io/snapshot`)).status).toBe(200);
    const redirect = await fetch(`${live.url}/debug/io`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/debug/io/');
    expect((await fetch(`${live.url}/debug/io/snapshot`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${live.url}/debug/io/nothing`)).status).toBe(404);
  });
});

describe('attachInspector', () => {
  it('answers inspector paths first and hands every other request to the listeners the server had', async () => {
    const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('the app'));
    const io = new Server(server);
    const inspector = attachInspector(io, server, { auth: allow });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const client = connectClient(url, { forceNew: true, reconnection: false });
    try {
      await new Promise<void>((resolve) => client.once('connect', () => resolve()));
      expect(await (await fetch(`${url}/elsewhere`)).text()).toBe('the app');
      expect((await fetch(`${url}/socket.io/socket.io.js`)).status).toBe(200);
      const snapshot = inspectSnapshotSchema.parse(await (await fetch(`${url}/iostate/snapshot`)).json());
      expect(snapshot.sockets.map((s) => s.id)).toEqual([client.id]);
      expect(inspector.path).toBe('/iostate');
    } finally {
      client.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => io.close(() => resolve()));
    }
  });
});

describe('inspector routes', () => {
  it('serves the page with its statecharts, swimlanes, a timeline and Mermaid text', async () => {
    const live = await startLive({ auth: allow });
    const client = await live.clientV4();
    const page = await fetch(`${live.url}/iostate/`);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('<title>iostate inspector');
    for (const state of ['handshaking', 'upgrading', 'disconnecting', 'refused']) expect(html).toContain(`>${state}</text>`);

    const lanes = await (await fetch(`${live.url}/iostate/lanes?limit=3`)).text();
    expect(lanes).toContain(`id="conn-${client.io.engine.id}"`);
    const timeline = await (await fetch(`${live.url}/iostate/timeline`)).text();
    expect(timeline).toContain(`id="conn-${client.io.engine.id}"`);

    const mermaid = await (await fetch(`${live.url}/iostate/machines`)).text();
    expect(mermaid).toContain('stateDiagram-v2');
    expect(mermaid).toContain('socket_connecting --> socket_connected : MIDDLEWARE_OK');
    const one = await (await fetch(`${live.url}/iostate/machines?machine=namespace`)).text();
    expect(one.trim().split('\n')[0]).toBe('stateDiagram-v2');
    expect((await fetch(`${live.url}/iostate/machines?machine=toString`)).status).toBe(404);
  });
});

describe('inspector event stream', () => {
  it('sends a hello, then aggregated batches of new events', async () => {
    const live = await startLive({ auth: allow, stream: { interval: 50 } });
    const stream = openStream(`${live.url}/iostate/events`);
    const res = await stream.ready;
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    await until(() => stream.messages.some((m) => m.event === 'hello'), 'hello');
    expect(stream.messages[0]!.data).toMatchObject({ node: live.io.log.node, retaining: true, interval: 50 });

    const client = await live.clientV4();
    await until(() => stream.batches().some((b) => b.counts['socket.connect'] === 1), 'a batch with the connect');
    const batch = stream.batches().find((b) => b.counts['conn.open'])!;
    expect(batch.events.some((e) => e.type === 'conn.open' && e.sid === client.io.engine.id)).toBe(true);
    const last = stream.messages.filter((m) => m.event === 'batch').at(-1)!;
    expect(Number(last.id)).toBe(stream.batches().at(-1)!.to);
    stream.close();
  });

  it('resumes after ?since or Last-Event-ID with what was missed', async () => {
    const live = await startLive({ auth: allow, stream: { interval: 50 } });
    await live.clientV4();
    const position = live.io.log.lastPosition;
    for (const [url, headers] of [
      [`${live.url}/iostate/events?since=0`, {}],
      [`${live.url}/iostate/events`, { 'Last-Event-ID': '0' }],
    ] as const) {
      const stream = openStream(url, headers);
      await until(() => stream.batches().length > 0, 'the catch-up batch');
      const first = stream.batches()[0]!;
      expect(first.from).toBe(0);
      expect(first.to).toBeGreaterThanOrEqual(position);
      expect(first.events.map((e) => e.seq)).toEqual(Array.from({ length: first.total }, (_, i) => i + 1));
      stream.close();
    }
    expect((await fetch(`${live.url}/iostate/events?since=x`)).status).toBe(400);

    // A cursor from before a restart (beyond this log's end) starts over from this log's beginning.
    const stale = openStream(`${live.url}/iostate/events`, { 'Last-Event-ID': String(position + 1000) });
    await until(() => stale.batches().length > 0, 'the batch after a restart');
    expect(stale.batches()[0]!.from).toBe(0);
    stale.close();
  });

  it('sends one bounded batch for a burst of thousands of events', async () => {
    const live = await startLive({ auth: allow, stream: { interval: 100, maxEvents: 50 } });
    const stream = openStream(`${live.url}/iostate/events`);
    await until(() => stream.messages.length > 0, 'hello');
    for (let i = 0; i < 5000; i++) live.io.log.record({ type: 'app.error', message: `burst ${i}` });
    await until(() => stream.batches().reduce((n, b) => n + b.total, 0) >= 5000, 'the burst');
    const batches = stream.batches();
    expect(batches.length).toBeLessThanOrEqual(2);
    expect(Math.max(...batches.map((b) => b.events.length))).toBeLessThanOrEqual(50);
    expect(batches.reduce((n, b) => n + (b.counts['app.error'] ?? 0), 0)).toBe(5000);
    expect(batches.at(-1)!.events.at(-1)).toMatchObject({ type: 'app.error', message: 'burst 4999' });
    stream.close();
  });

  it('stops its timer when the last listener leaves and ends streams on close', async () => {
    const live = await startLive({ auth: allow, stream: { interval: 50 } });
    const a = openStream(`${live.url}/iostate/events`);
    const b = openStream(`${live.url}/iostate/events`);
    await until(() => a.messages.length > 0 && b.messages.length > 0, 'both hellos');
    a.close();
    const ended = new Promise<void>((resolve) => b.ready.then((res) => res.on('end', resolve)));
    live.inspector.close();
    await ended;
  });
});
