/**
 * Session takeover: an attacker who knows a victim's public socket id tries
 * to speak for the victim (POST packets into its session) or to steal the
 * whole session (open a WebSocket with its sid and send the probe).
 *
 * - 4.x clients: the socket id is random and unrelated to the session id, so
 *   the id gets the attacker nothing. socket.io 4 is the oracle: the same
 *   attack runs against it and must fare the same.
 * - 2.x clients derive their socket id from the session id, so the id IS the
 *   secret. `bindSessionToAddress` (opt-in) refuses requests for a session
 *   from any other client address; the attacker here speaks from 127.0.0.2.
 */
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { Server as SocketIO4 } from 'socket.io';
import iostate from '../../src';
import type { ServerOptions } from '../../src/actors/server';
import { connectClient, connected, type ClientGeneration, type TransportChoice } from './helpers/clients';
import { PATH, pollingPayload, type Protocol } from './helpers/raw';
import { sleep, until } from './helpers/server';

const ATTACKER_ADDRESS = '127.0.0.2';

interface Target {
  url: string;
  port: number;
  /** What the server's app saw: `chat` events, by the socket id they came in on. */
  chats: Array<{ from: string; text: string }>;
  /** The server-side socket of the victim, once connected. */
  victimSocket(): any;
  stop(): Promise<void>;
}

type ServerKind = 'iostate' | 'socket.io 4';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startTarget(kind: ServerKind, options: ServerOptions = {}): Promise<Target> {
  const httpServer = http.createServer();
  const heartbeat = { pingInterval: 1000, pingTimeout: 3000 };
  const io: any = kind === 'iostate' ? iostate(httpServer, { ...heartbeat, ...options }) : new SocketIO4(httpServer, { ...heartbeat, allowEIO3: true });
  const chats: Target['chats'] = [];
  let victim: any;
  io.on('connection', (socket: any) => {
    victim ??= socket;
    socket.on('chat', (text: string) => chats.push({ from: socket.id, text }));
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const port = (httpServer.address() as AddressInfo).port;
  const target: Target = {
    url: `http://127.0.0.1:${port}`,
    port,
    chats,
    victimSocket: () => victim,
    stop: () =>
      new Promise<void>((resolve) => {
        io.close(() => resolve());
        httpServer.closeAllConnections();
      }),
  };
  cleanups.push(() => target.stop());
  return target;
}

async function connectVictim(target: Target, generation: ClientGeneration, transport: TransportChoice, extra: Record<string, unknown> = {}): Promise<any> {
  const client = connectClient(generation, target.url, transport, '/', extra);
  cleanups.push(() => client.close());
  await connected(client);
  await until(() => target.victimSocket() !== undefined, 'the server-side victim socket');
  return client;
}

/** The attacker's POST of a forged `chat` event into session `sid`, from the attacker's address. */
function forgeMessage(target: Target, protocol: Protocol, sid: string, headers: Record<string, string> = {}): Promise<number> {
  const body = pollingPayload(protocol, ['42["chat","forged"]']);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: target.port,
        localAddress: ATTACKER_ADDRESS,
        method: 'POST',
        path: `${PATH}?EIO=${protocol}&transport=polling&sid=${encodeURIComponent(sid)}`,
        headers: { 'Content-Type': 'text/plain;charset=UTF-8', ...headers },
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The attacker's WebSocket with session `sid`: 'taken' when the server answered its probe. */
function stealSession(target: Target, protocol: Protocol, sid: string): Promise<'taken' | 'refused'> {
  const ws = new WebSocket(`ws://127.0.0.1:${target.port}${PATH}?EIO=${protocol}&transport=websocket&sid=${encodeURIComponent(sid)}`, {
    localAddress: ATTACKER_ADDRESS,
  });
  cleanups.push(() => ws.terminate());
  return new Promise((resolve) => {
    ws.once('open', () => ws.send('2probe'));
    ws.on('message', (data) => {
      if (String(data) === '3probe') {
        ws.send('5');
        resolve('taken');
      }
    });
    ws.once('unexpected-response', () => resolve('refused'));
    ws.once('error', () => resolve('refused'));
    ws.once('close', () => resolve('refused'));
  });
}

/** The victim still talks to the server both ways, over its own session. */
async function expectVictimUnharmed(target: Target, client: any): Promise<void> {
  expect(client.connected).toBe(true);
  const echoed = new Promise<string>((resolve) => client.once('news', resolve));
  target.victimSocket().emit('news', 'still yours');
  expect(await echoed).toBe('still yours');
  client.emit('chat', 'genuine');
  await until(() => target.chats.some((chat) => chat.text === 'genuine'), 'the victim’s own message');
}

describe('4.x clients: the socket id gives no hold on the session', () => {
  for (const kind of ['iostate', 'socket.io 4'] as const) {
    for (const transport of ['polling', 'websocket'] as const) {
      it(`${kind}, victim on ${transport}: forged POSTs and a stolen WebSocket both fail`, async () => {
        const target = await startTarget(kind);
        const victim = await connectVictim(target, 'v4', transport);
        const publicId: string = target.victimSocket().id;
        expect(victim.id).toBe(publicId);

        expect(await forgeMessage(target, 4, publicId)).toBe(400);
        expect(await stealSession(target, 4, publicId)).toBe('refused');
        await sleep(50);

        expect(target.chats.filter((chat) => chat.text === 'forged')).toEqual([]);
        await expectVictimUnharmed(target, victim);
      });
    }
  }

  it('socket ids are random, differ from the session id, and differ per namespace of one connection', async () => {
    const target = await startTarget('iostate');
    const ids: Array<{ id: string; sid: string }> = [];
    const root = await connectVictim(target, 'v4', 'websocket');
    const server = target.victimSocket().server;
    const joined = new Promise<void>((resolve) =>
      server.of('/chat').on('connection', (socket: any) => (ids.push({ id: socket.id, sid: socket.conn.id }), resolve())),
    );
    const chat = root.io.socket('/chat');
    cleanups.push(() => chat.close());
    await joined;
    await connected(chat);
    const rootSocket = target.victimSocket();
    ids.push({ id: rootSocket.id, sid: rootSocket.conn.id });

    for (const { id, sid } of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{20}$/);
      expect(id).not.toBe(sid);
      expect(id).not.toContain(sid);
    }
    expect(ids[0]!.id).not.toBe(ids[1]!.id);
    expect(chat.id).toBe(ids[0]!.id);
  });
});

describe('2.x clients: bindSessionToAddress', () => {
  it('off (the default, as socket.io 2): whoever knows the id speaks for the victim', async () => {
    const target = await startTarget('iostate');
    const victim = await connectVictim(target, 'v2', 'polling');
    expect(victim.id).toBe(target.victimSocket().conn.id); // 2.x: the public id is the session id

    expect(await forgeMessage(target, 3, victim.id)).toBe(200);
    await until(() => target.chats.some((chat) => chat.text === 'forged'), 'the forged message');
  });

  for (const transport of ['polling', 'upgrade'] as const) {
    it(`on, victim on ${transport}: another address can neither post into the session nor steal it`, async () => {
      const target = await startTarget('iostate', { bindSessionToAddress: true });
      const victim = await connectVictim(target, 'v2', transport);
      if (transport === 'upgrade') await until(() => target.victimSocket().conn.transport.name === 'websocket', 'the victim’s own upgrade');

      expect(await forgeMessage(target, 3, victim.id)).toBe(400);
      expect(await stealSession(target, 3, victim.id)).toBe('refused');
      await sleep(50);

      expect(target.chats.filter((chat) => chat.text === 'forged')).toEqual([]);
      await expectVictimUnharmed(target, victim);
    });
  }

  it('a refused request looks like an unknown session and is reported as an address mismatch', async () => {
    const target = await startTarget('iostate', { bindSessionToAddress: true });
    const victim = await connectVictim(target, 'v2', 'polling');
    const errors: any[] = [];
    target.victimSocket().server.engine.on('connection_error', (error: any) => errors.push(error));
    const status = await forgeMessage(target, 3, victim.id);
    expect(status).toBe(400);
    expect(errors).toHaveLength(1);
    expect(errors[0].code).toBe(1);
    expect(errors[0].message).toBe('Session ID unknown');
    expect(errors[0].context.name).toBe('SESSION_ADDRESS_MISMATCH');
  });

  it('a function chooses the address to compare (a header the operator’s own proxy sets)', async () => {
    const target = await startTarget('iostate', { bindSessionToAddress: (req) => String(req.headers['x-client-address'] ?? '') });
    const victim = await connectVictim(target, 'v2', 'polling', { extraHeaders: { 'x-client-address': '203.0.113.7' } });

    expect(await forgeMessage(target, 3, victim.id, { 'x-client-address': '198.51.100.9' })).toBe(400);
    await expectVictimUnharmed(target, victim);
    // The function alone decides: only a header that clients cannot set themselves is a defence.
    expect(await forgeMessage(target, 3, victim.id, { 'x-client-address': '203.0.113.7' })).toBe(200);
  });
});
