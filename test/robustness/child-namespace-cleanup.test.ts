/**
 * `cleanupEmptyChildNamespaces` (socket.io 4.6): a dynamic parent's child is
 * deleted once no socket is left in it (after disconnects or a refusal), never
 * while a socket still runs its middlewares, never a static namespace, and
 * never without the option. A deletion is recorded (`nsp.delete`) after what
 * emptied it, and the name is gone from `io.nsps`, the projections and the
 * inspector; a later connection creates it anew with the parent's
 * middlewares and listeners. socket.io 4 is the oracle for when a child goes.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as SocketIo4 } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from '../../src/actors/socket';
import { connectClient, connected, type ClientGeneration } from './helpers/clients';
import { STEADY_HEARTBEAT, startIostate, until, within, type Running } from './helpers/server';

let running: Running | undefined;
const open: any[] = [];

afterEach(async () => {
  while (open.length > 0) open.pop().close();
  await running?.stop();
  running = undefined;
});

async function start(cleanupEmptyChildNamespaces: boolean): Promise<Running> {
  running = await startIostate({ ...STEADY_HEARTBEAT, cleanupEmptyChildNamespaces });
  return running;
}

async function join(generation: ClientGeneration, nsp: string): Promise<any> {
  const client = connectClient(generation, running!.url, 'websocket', nsp);
  open.push(client);
  await connected(client);
  return client;
}

function refusal(nsp: string): Promise<Error> {
  const client = connectClient('v4', running!.url, 'websocket', nsp);
  open.push(client);
  return within(new Promise<Error>((resolve) => client.once('connect_error', resolve)), 5000, `the refusal of ${nsp}`);
}

const typesAbout = (nsp: string) =>
  running!.io.log
    .events()
    .filter((event) => 'nsp' in event && event.nsp === nsp && event.type !== 'room.join' && event.type !== 'room.leave')
    .map((event) => event.type);

describe.each(['v2', 'v4'] as ClientGeneration[])('cleanupEmptyChildNamespaces with %s clients', (generation) => {
  it('deletes a child when its last socket leaves; a new connection creates it anew, with the parent middlewares and listeners', async () => {
    const { io } = await start(true);
    let middlewareRuns = 0;
    let connections = 0;
    const dynamic = io.of(/^\/dyn-\d+$/);
    dynamic.use((_socket, next) => {
      middlewareRuns++;
      next();
    });
    dynamic.on('connection', () => connections++);

    const first = await join(generation, '/dyn-1');
    const second = await join(generation, '/dyn-1');
    first.close();
    await until(() => typesAbout('/dyn-1').includes('socket.disconnect'), 'the first leaving');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(Object.hasOwn(io.nsps, '/dyn-1')).toBe(true); // one socket is still in it
    second.close();
    await until(() => !Object.hasOwn(io.nsps, '/dyn-1'), 'the deletion');
    expect(typesAbout('/dyn-1')).toEqual(['nsp.create', 'socket.connect', 'socket.connect', 'socket.disconnect', 'socket.disconnect', 'nsp.delete']);
    expect([...io.log.projections.rooms.namespaces()]).not.toContain('/dyn-1');
    expect(io.inspect().namespaces.map((nsp) => nsp.name)).not.toContain('/dyn-1');
    expect(dynamic.emit('to every child')).toBe(dynamic); // the parent no longer lists it

    const again = await join(generation, '/dyn-1');
    expect(io.nsps['/dyn-1']?.state).toBe('active');
    expect(typesAbout('/dyn-1').slice(-2)).toEqual(['nsp.create', 'socket.connect']);
    expect([middlewareRuns, connections]).toEqual([3, 3]);
    const answer = new Promise((resolve) => again.once('hello', resolve));
    dynamic.emit('hello', 'everyone');
    expect(await within(answer, 2000, 'a broadcast of the parent')).toBe('everyone');
  });
});

describe('when a child is kept', () => {
  it('not while a socket still runs the middlewares; deleted once that one leaves', async () => {
    const { io } = await start(true);
    const held: (() => void)[] = [];
    io.of(/^\/slow-\d+$/).use((socket, next) => {
      if (socket.handshake.auth.hold) held.push(() => next());
      else next();
    });
    const quick = await join('v4', '/slow-1');
    const slow = connectClient('v4', running!.url, 'websocket', '/slow-1', { auth: { hold: true } });
    open.push(slow);
    await until(() => held.length === 1, 'the held socket in the middleware');
    quick.close();
    await until(() => typesAbout('/slow-1').includes('socket.disconnect'), 'the quick socket leaving');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(Object.hasOwn(io.nsps, '/slow-1')).toBe(true);
    held[0]();
    await connected(slow);
    expect(io.nsps['/slow-1']?.state).toBe('active');
    slow.close();
    await until(() => !Object.hasOwn(io.nsps, '/slow-1'), 'the deletion');
  });

  it("a 2.x client's CONNECT held while / runs its middlewares joins the child that is registered when it is released", async () => {
    const { io } = await start(true);
    const rootMiddlewareDone: (() => void)[] = [];
    io.use((_socket, next) => {
      rootMiddlewareDone.push(() => next());
    });
    io.of(/^\/held-\d+$/);
    const client = connectClient('v2', running!.url, 'websocket', '/held-1');
    open.push(client);
    await until(() => rootMiddlewareDone.length === 1, "/'s middleware");
    await new Promise((resolve) => setTimeout(resolve, 20)); // the child created for the held CONNECT, alone, is deleted
    expect(Object.hasOwn(io.nsps, '/held-1')).toBe(false);
    rootMiddlewareDone[0]();
    await connected(client);
    const nsp = io.nsps['/held-1'];
    expect(Object.keys(nsp?.connected ?? {})).toEqual([client.id]);
    expect(nsp?.state).toBe('active');
  });

  it("a child created for a CONNECT whose socket never comes (2.x client gone while /'s middleware ran) is not kept", async () => {
    const { io } = await start(true);
    io.use(() => {}); // never answers
    io.of(/^\/abandoned-\d+$/);
    const clients = [1, 2, 3].map((i) => connectClient('v2', running!.url, 'websocket', `/abandoned-${i}`));
    open.push(...clients);
    await until(() => typesAbout('/abandoned-3').includes('nsp.create'), 'the children');
    for (const client of clients) client.close();
    await until(() => Object.keys(io.nsps).every((name) => !name.startsWith('/abandoned-')), 'no child left');
  });

  it('a refusal that empties a child deletes it, after the refusal is recorded', async () => {
    const { io } = await start(true);
    io.of(/^\/closed-\d+$/).use((_socket, next) => next(new Error('not today')));
    expect((await refusal('/closed-1')).message).toBe('not today');
    await until(() => !Object.hasOwn(io.nsps, '/closed-1'), 'the deletion');
    expect(typesAbout('/closed-1')).toEqual(['nsp.create', 'socket.refused', 'nsp.delete']);
  });

  it('a static namespace and the parent itself stay', async () => {
    const { io } = await start(true);
    const parent = io.of(/^\/p-\d+$/);
    io.of('/static');
    (await join('v4', '/static')).close();
    (await join('v4', '/p-1')).close();
    await until(() => !Object.hasOwn(io.nsps, '/p-1'), 'the deletion of the child');
    expect(io.nsps['/static']?.state).toBe('active');
    expect(parent.state).toBe('active');
  });

  it('every child stays without the option (socket.io 2.x and 4 by default)', async () => {
    const { io } = await start(false);
    io.of(/^\/kept-\d+$/).on('connection', (socket: Socket) => socket.join('room'));
    (await join('v4', '/kept-1')).close();
    await until(() => typesAbout('/kept-1').includes('socket.disconnect'), 'the disconnect');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(io.nsps['/kept-1']?.state).toBe('active');
    expect(typesAbout('/kept-1')).not.toContain('nsp.delete');
  });
});

describe('against socket.io 4', () => {
  /** Which names the server still has after `scenario` ran with a 4.x client. */
  async function namesAfter(impl: 'iostate' | 'socket.io', scenario: (url: string) => Promise<void>): Promise<string[]> {
    const http = createServer();
    const options = { cleanupEmptyChildNamespaces: true, ...STEADY_HEARTBEAT };
    const io: any = impl === 'iostate' ? (await import('../../src')).default(http, options) : new SocketIo4(http, options);
    io.of(/^\/d-\d+$/).use((socket: any, next: (err?: Error) => void) => next(socket.handshake.auth.refuse ? new Error('refused') : undefined));
    io.of(/^\/d-\d+$/).on('connection', () => {});
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      await scenario(`http://127.0.0.1:${(http.address() as AddressInfo).port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return [...(impl === 'iostate' ? Object.keys(io.nsps) : io._nsps.keys())].filter((name: string) => name.startsWith('/d-')).sort();
    } finally {
      io.close();
      http.closeAllConnections();
    }
  }

  it('the same children are deleted and kept', async () => {
    const scenario = async (url: string) => {
      const clients = ['/d-1', '/d-2', '/d-2'].map((nsp) => connectClient('v4', url, 'websocket', nsp));
      open.push(...clients);
      await Promise.all(clients.map((client) => connected(client)));
      clients[0].close(); // /d-1 empties
      clients[1].close(); // /d-2 keeps one socket
      const refused = connectClient('v4', url, 'websocket', '/d-3', { auth: { refuse: true } });
      open.push(refused);
      await within(new Promise((resolve) => refused.once('connect_error', resolve)), 5000, 'the refusal');
    };
    const [ours, theirs] = [await namesAfter('iostate', scenario), await namesAfter('socket.io', scenario)];
    expect(theirs).toEqual(['/d-2']);
    expect(ours).toEqual(theirs);
  });
});
