/**
 * Lifecycle faults at awkward moments: a namespace middleware that never
 * answers (bounded by connectTimeout), a middleware that answers after its
 * client is gone, a 4.x connection that never joins a namespace, and a server
 * shut down with clients in every state (polling, WebSocket, mid-upgrade,
 * handshake only, waiting on a middleware). Afterwards nothing is held and
 * every session that opened closed exactly once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from '../../src/actors/socket';
import { connectClient, connected } from './helpers/clients';
import { checkInvariants } from './helpers/invariants';
import { PATH, RawSession, rawRequest } from './helpers/raw';
import { sleep, startIostate, until, within, type Running } from './helpers/server';

const CONNECT_TIMEOUT = 300;
const open: any[] = [];
let running: Running | undefined;

afterEach(async () => {
  while (open.length > 0) open.pop().close();
  await running?.stop();
  running = undefined;
});

function client(...args: Parameters<typeof connectClient>): any {
  const c = connectClient(...args);
  open.push(c);
  return c;
}

describe('lifecycle faults', () => {
  it('a middleware that never answers is bounded by connectTimeout', async () => {
    running = await startIostate({ connectTimeout: CONNECT_TIMEOUT });
    running.io.of('/stuck').use(() => {});
    const c = client('v4', running.url, 'websocket', '/stuck');
    const refusal = await within(new Promise<Error>((resolve) => c.once('connect_error', resolve)), CONNECT_TIMEOUT + 2000, 'the refusal');
    expect(refusal.message).toBe('connect timeout');
    expect(running.io.log.events().some((e) => e.type === 'socket.refused' && e.nsp === '/stuck')).toBe(true);
    expect([...running.io.log.projections.rooms.socketIds('/stuck')]).toEqual([]);
    checkInvariants(running.io);
  });

  it('a middleware answering after its client left connects nothing', async () => {
    running = await startIostate();
    let release: (() => void) | undefined;
    running.io.of('/slow').use((_socket, next) => {
      release = () => next();
    });
    const c = client('v4', running.url, 'websocket', '/slow');
    await until(() => release !== undefined, 'the middleware to run');
    const sid: string = c.io.engine.id;
    c.close();
    await until(() => running!.io.engine.clients[sid] === undefined, 'the session to close');
    release!();
    await sleep(30);
    expect(Object.keys(running.io.of('/slow').connected)).toEqual([]);
    expect(running.io.log.events().some((e) => e.type === 'socket.connect' && e.nsp === '/slow')).toBe(false);
    checkInvariants(running.io, true);
  });

  it('a 4.x connection that never joins a namespace is closed after connectTimeout', async () => {
    // Heartbeat above connectTimeout, so that only the connect timer can end it; a polling session
    // nobody polls stays `closing` for pingInterval + pingTimeout, as engine.io's closeTimeout.
    const heartbeat = { pingInterval: 500, pingTimeout: 500 };
    running = await startIostate({ connectTimeout: CONNECT_TIMEOUT, ...heartbeat });
    const res = await rawRequest(running.port, 'GET', `${PATH}?EIO=4&transport=polling`);
    const sid: string = JSON.parse(/0(\{.*\})/.exec(res.body)![1]).sid;
    await until(() => running!.io.engine.clients[sid]?.readyState !== 'open', 'the connect timer', CONNECT_TIMEOUT + 400);
    await until(() => running!.io.engine.clients[sid] === undefined, 'the idle connection to close', heartbeat.pingInterval + heartbeat.pingTimeout + 1000);
    expect(running.io.log.events().find((e) => e.type === 'conn.close' && e.sid === sid)).toMatchObject({ reason: 'forced close', initiator: 'server' });
    checkInvariants(running.io, true);
  });

  it('a server shut down with clients in every state closes each session once', async () => {
    running = await startIostate({ pingInterval: 10_000, pingTimeout: 10_000 });
    running.io.of('/pending').use(() => {});
    running.io.on('connection', (socket: Socket) => socket.join('room'));
    const ready = [
      client('v4', running.url, 'websocket'),
      client('v2', running.url, 'polling'),
      client('v4', running.url, 'polling'),
      client('v2', running.url, 'websocket'),
    ];
    await Promise.all(ready.map((c) => connected(c)));
    client('v4', running.url, 'upgrade'); // may be mid-upgrade at shutdown
    client('v4', running.url, 'websocket', '/pending'); // waiting on a middleware that never answers
    const raw = await RawSession.open(running.port, 3, 'polling');
    await rawRequest(running.port, 'GET', `${PATH}?EIO=4&transport=polling`); // handshake only
    await sleep(20);
    const disconnects: string[] = [];
    for (const c of ready) c.on('disconnect', (reason: string) => disconnects.push(reason));

    const io = running.io;
    await within(new Promise<void>((resolve) => io.close(() => resolve())), 5000, 'io.close to call back');
    await until(() => io.engine.clientsCount === 0, 'every session to close');
    raw.close();
    checkInvariants(io, true);
    const reasons = io.log
      .events()
      .filter((e) => e.type === 'conn.close')
      .map((e) => e.type === 'conn.close' && e.reason);
    expect(new Set(reasons)).toEqual(new Set(['server shutting down']));
    for (const nsp of Object.values(io.nsps)) expect(Object.keys(nsp.connected)).toEqual([]);
    await until(() => disconnects.length === ready.length, 'every client to see the shutdown');
  });
});
