/**
 * The snapshot streamed over HTTP entry by entry (snapshot-stream.ts): the
 * body is the very document `JSON.stringify(buildSnapshot(...))` gives for the
 * same state and options, it waits for a client that stops reading, and a
 * client that goes away mid-stream stops it with nothing left behind.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createInspectorHandler } from '../../src/inspect/http-endpoint';
import { buildSnapshot, inspectSnapshotSchema, selectSnapshot, type InspectableServer, type SnapshotOptions } from '../../src/inspect/snapshot';
import { writeSnapshot } from '../../src/inspect/snapshot-stream';
import { EventLog } from '../../src/log/event-log';
import { recordIdleSocket } from './fixture';
import { startLive, until } from './live';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

async function listen(handle: http.RequestListener): Promise<string> {
  const server = http.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** 3,000 idle sockets (a few hundred KB of JSON, many chunks), labels a client chose, a closed connection and a disconnected socket. */
function busyLog(): EventLog {
  const log = new EventLog({ node: 'n1' });
  for (let i = 0; i < 3000; i++) recordIdleSocket(log, i, `room-${i % 7}`);
  log.record({ type: 'socket.connect', sid: 'sid-1', socketId: 'chat#1', nsp: '/chat', protocol: 5, label: 'Zoë "</script>" \u2028 \u0007' });
  log.record({ type: 'room.join', socketId: 'chat#1', nsp: '/chat', room: 'général \ud83d\ude00' });
  log.record({ type: 'socket.disconnect', socketId: 'sid-2', nsp: '/', reason: 'client namespace disconnect', initiator: 'client', sid: 'sid-2' });
  log.record({ type: 'socket.disconnect', socketId: 'sid-3', nsp: '/', reason: 'ping timeout', initiator: 'server', sid: 'sid-3' });
  log.record({ type: 'conn.close', sid: 'sid-3', reason: 'ping timeout', initiator: 'server', transport: 'websocket' });
  return log;
}

/** The served body must be the built snapshot's JSON, byte for byte, once the time it was taken is the same. */
function expectSameDocument(body: string, io: InspectableServer, options: SnapshotOptions): void {
  const served = inspectSnapshotSchema.parse(JSON.parse(body));
  const built = buildSnapshot(io, options);
  expect(served).toEqual({ ...built, takenAt: served.takenAt });
  expect(body).toBe(JSON.stringify({ ...built, takenAt: served.takenAt }));
}

describe('the streamed snapshot', () => {
  it('is the document buildSnapshot gives, with every query option', async () => {
    const io = { log: busyLog(), nsps: new Map() };
    const url = await listen((req, res) => void createInspectorHandler(io, { auth: () => true })(req, res));
    const cases: [string, SnapshotOptions][] = [
      ['', {}],
      ['?limit=7', { limit: 7 }],
      ['?limit=0&closed=0', { limit: 0, closed: 0 }],
      ['?q=SID-12', { match: 'SID-12' }],
      ['?q=g%C3%A9n%C3%A9ral', { match: 'général' }],
      ['?q=room-3&limit=40', { match: 'room-3', limit: 40 }],
      ['?closed=1', { closed: 1 }],
      ['?socketRooms=0', { socketRooms: false }],
      ['?socketRooms=0&limit=2&q=sid-1', { socketRooms: false, limit: 2, match: 'sid-1' }],
    ];
    for (const [query, options] of cases) {
      const response = await fetch(`${url}/iostate/snapshot${query}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expectSameDocument(await response.text(), io, options);
    }
    expect(buildSnapshot(io).sockets.length).toBeGreaterThan(2000);
  });

  it('is the document buildSnapshot gives for a live server, a socket stuck in middleware first', async () => {
    const live = await startLive({ auth: () => true });
    live.io.of('/stuck').use(() => {}); // never calls next: its socket stays `connecting`
    live.io.on('connection', (socket) => socket.join('lobby'));
    await live.clientV4();
    await live.clientV2();
    void live.clientV4('/stuck').catch(() => {});
    await until(() => buildSnapshot(live.io).totals.connecting === 1, 'the socket in middleware');
    await until(() => buildSnapshot(live.io).connections.every((connection) => connection.state === 'websocket'), 'the upgrades', 10_000);
    const body = await (await fetch(`${live.url}/iostate/snapshot`)).text();
    expectSameDocument(body, live.io, {});
    expect(JSON.parse(body).sockets[0].state).toBe('connecting');
  });

  it('answers HEAD with the headers only', async () => {
    const io = { log: busyLog(), nsps: new Map() };
    const url = await listen((req, res) => void createInspectorHandler(io, { auth: () => true })(req, res));
    const response = await fetch(`${url}/iostate/snapshot`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.text()).toBe('');
  });
});

describe('a client that stops reading', () => {
  /**
   * 600 sockets, each in the same 40 rooms of 1,000 characters: 24 MB of socket
   * entries, more than the loopback's socket buffers hold for a client that reads nothing.
   */
  function heavyLog(): EventLog {
    const log = new EventLog({ node: 'n1' });
    const rooms = Array.from({ length: 40 }, (_, i) => `${i}`.padEnd(1000, '.'));
    for (let i = 0; i < 600; i++) {
      recordIdleSocket(log, i, rooms[0]!);
      for (const room of rooms.slice(1)) log.record({ type: 'room.join', socketId: `sid-${i}`, nsp: '/', room });
    }
    return log;
  }

  /** A server writing one snapshot per request, counting the socket entries it has read so far. */
  async function serveCounted(io: InspectableServer) {
    const served: { res: http.ServerResponse; done: Promise<boolean>; listeners: () => number[]; pulled: () => number }[] = [];
    const url = await listen((_req, res) => {
      const selection = selectSnapshot(io);
      let pulled = 0;
      const counted = {
        ...selection,
        *socketEntries() {
          for (const entry of selection.socketEntries()) {
            pulled++;
            yield entry;
          }
        },
      };
      const listeners = () => ['drain', 'close', 'error', 'finish'].map((event) => res.listenerCount(event));
      const before = listeners();
      res.writeHead(200, { 'Content-Type': 'application/json' });
      served.push({ res, done: writeSnapshot(res, counted), listeners: () => listeners().map((count, i) => count - before[i]!), pulled: () => pulled });
    });
    return { url, served };
  }

  /** Opens the snapshot and stops reading it at once; `read()` resumes and collects the rest. */
  function pausedRequest(url: string) {
    let body = '';
    let request!: http.ClientRequest;
    const response = new Promise<http.IncomingMessage>((resolve, reject) => {
      request = http.get(url, (res) => {
        res.pause();
        res.setEncoding('utf8');
        resolve(res);
      });
      request.on('error', reject);
    });
    const read = async () => {
      const res = await response;
      const ended = new Promise((resolve) => res.on('end', resolve));
      res.on('data', (chunk: string) => (body += chunk));
      res.resume();
      await ended;
      return body;
    };
    return { response, read, abort: () => request.destroy() };
  }

  it('is waited for, holding a chunk or two, and then gets the whole document', async () => {
    const io = { log: heavyLog(), nsps: new Map() };
    const { url, served } = await serveCounted(io);
    const client = pausedRequest(url);
    await client.response;
    await until(() => served[0]?.res.writableNeedDrain === true, 'the server to wait for the client', 10_000);
    const { res, pulled } = served[0]!;
    const waitingAt = pulled();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(pulled()).toBe(waitingAt);
    expect(waitingAt).toBeLessThan(600);
    expect(res.writableLength).toBeLessThan(1_000_000);

    const body = await client.read();
    expect(await served[0]!.done).toBe(true);
    expect(pulled()).toBe(600);
    expect(body.length).toBeGreaterThan(24_000_000);
    expectSameDocument(body, io, {});
  });

  it('gets the entries chosen when it asked, each as it is when written', async () => {
    const log = heavyLog();
    const io = { log, nsps: new Map() };
    const { url, served } = await serveCounted(io);
    const client = pausedRequest(url);
    await client.response;
    await until(() => served[0]?.res.writableNeedDrain === true, 'the server to wait for the client', 10_000);
    expect(served[0]!.pulled()).toBeLessThan(600);
    // The last socket leaves while the response waits: it was chosen, so it is listed, as it is now.
    log.record({ type: 'socket.disconnect', socketId: 'sid-599', nsp: '/', reason: 'transport close', initiator: 'client', sid: 'sid-599' });
    recordIdleSocket(log, 600, 'late');

    const served599 = inspectSnapshotSchema.parse(JSON.parse(await client.read()));
    expect(served599.totals.sockets).toBe(600);
    expect(served599.sockets.map((socket) => socket.id)).not.toContain('sid-600');
    expect(served599.sockets.at(-1)).toMatchObject({ id: 'sid-599', state: 'disconnected' });
    expect(buildSnapshot(io).sockets.map((socket) => socket.id)).not.toContain('sid-599');
  });

  it('that goes away mid-stream stops it, leaving no listener nor timer behind', async () => {
    const io = { log: heavyLog(), nsps: new Map() };
    const { url, served } = await serveCounted(io);
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const timersBefore = timers();
    const client = pausedRequest(url);
    await client.response;
    await until(() => served[0]?.res.writableNeedDrain === true, 'the server to wait for the client', 10_000);
    const { res, done, listeners, pulled } = served[0]!;
    expect(listeners()).toEqual([1, 1, 0, 0]); // the writer's drain and close

    client.abort();
    expect(await done).toBe(false);
    const stoppedAt = pulled();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pulled()).toBe(stoppedAt);
    expect(stoppedAt).toBeLessThan(600);
    expect(res.destroyed).toBe(true);
    expect(listeners()).toEqual([0, 0, 0, 0]);
    expect(timers()).toBeLessThanOrEqual(timersBefore);
  });
});
