/** Raw WebSocket against the engine: framing per protocol, heartbeats, upgrades and their failures, refused upgrades. */
import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { EngineOptions } from '../../src/transport/engine-server';
import type { EngineSocket } from '../../src/transport/engine-socket';
import { closeOf, handshake, nextEvent, request, startEngine, until, type TestEngine } from './helpers';

let env: TestEngine | undefined;
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await env?.close();
  env = undefined;
});

/** A raw WebSocket that records every frame it receives (text as string, binary as Buffer). */
function connect(query: string, headers?: Record<string, string>, options: WebSocket.ClientOptions = {}): { ws: WebSocket; frames: Array<string | Buffer> } {
  const ws = new WebSocket(`ws://127.0.0.1:${env!.port}/engine.io/?${query}`, { headers, ...options });
  sockets.push(ws);
  const frames: Array<string | Buffer> = [];
  ws.on('message', (data: Buffer, isBinary: boolean) => frames.push(isBinary ? data : data.toString()));
  ws.on('error', () => {});
  return { ws, frames };
}

/** Resolves with the HTTP status of a refused upgrade and its JSON body. */
function refusedUpgrade(query: string, headers?: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const { ws } = connect(query, headers);
  return new Promise((resolve, reject) => {
    ws.on('open', () => reject(new Error('upgrade was accepted')));
    ws.on('unexpected-response', (_req, res: IncomingMessage) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
  });
}

/** A WebSocket the server accepts and closes at once, as engine.io turns away one its session cannot take. */
async function turnedAway(query: string, headers?: Record<string, string>): Promise<{ frames: Array<string | Buffer>; code: number }> {
  const { ws, frames } = connect(query, headers);
  ws.on('open', () => ws.send('2probe'));
  const [code] = await nextEvent<[number]>(ws, 'close');
  return { frames, code };
}

async function openDirect(options: EngineOptions, query: string): Promise<{ ws: WebSocket; frames: Array<string | Buffer>; socket: EngineSocket }> {
  env ??= await startEngine(options);
  const accepted = env.nextConnection();
  const client = connect(query);
  const socket = await accepted;
  await until(() => client.frames.length >= 1);
  return { ...client, socket };
}

describe('direct WebSocket sessions', () => {
  it('v4: open packet first, text frames, raw binary frames both ways', async () => {
    const { ws, frames, socket } = await openDirect({ pingInterval: 300, pingTimeout: 200 }, 'EIO=4&transport=websocket');
    expect(frames[0]).toMatch(/^0\{/);
    expect(JSON.parse((frames[0] as string).slice(1))).toEqual({ sid: socket.id, upgrades: [], pingInterval: 300, pingTimeout: 200, maxPayload: 1e6 });
    const received: unknown[] = [];
    socket.on('message', (data) => received.push(data));
    ws.send('4hello');
    ws.send(Buffer.from([1, 2, 3]));
    await until(() => received.length === 2);
    expect(received).toEqual(['hello', Buffer.from([1, 2, 3])]);
    socket.send('hi');
    socket.send(Buffer.from([9]));
    // A ping ('2') may come in between on a loaded machine (pingInterval 300): only the data frames count.
    const data = () => frames.slice(1).filter((frame) => frame !== '2');
    await until(() => data().length === 2);
    expect(data()).toEqual(['4hi', Buffer.from([9])]);
  });

  it('v3: binary frames carry the packet type byte; b64=1 turns binary into "b4" text; client pings get pongs', async () => {
    const { ws, frames, socket } = await openDirect({}, 'EIO=3&transport=websocket');
    expect(frames[0]).toMatch(/^0\{/);
    expect(JSON.parse((frames[0] as string).slice(1))).not.toHaveProperty('maxPayload');
    const received: unknown[] = [];
    socket.on('message', (data) => received.push(data));
    ws.send(Buffer.from([4, 1, 2]));
    await until(() => received.length === 1);
    expect(received[0]).toEqual(Buffer.from([1, 2]));
    socket.send(Buffer.from([7]));
    ws.send('2');
    await until(() => frames.length === 3);
    expect(frames.slice(1)).toEqual([Buffer.from([4, 7]), '3']);

    const b64 = await openDirect({}, 'EIO=3&transport=websocket&b64=1');
    b64.socket.send(Buffer.from([1, 2, 3]));
    await until(() => b64.frames.length === 2);
    expect(b64.frames[1]).toBe('b4AQID');
  });

  it('v4: the server pings; a missing pong closes the session with ping timeout and terminates the socket', async () => {
    const { ws, frames, socket } = await openDirect({ pingInterval: 50, pingTimeout: 300 }, 'EIO=4&transport=websocket');
    await until(() => frames.includes('2'));
    const heartbeat = nextEvent(socket, 'heartbeat');
    ws.send('3');
    await heartbeat;
    const closedByServer = nextEvent(ws, 'close');
    const [reason, details] = await closeOf(socket);
    expect(reason).toBe('ping timeout');
    expect(details).toMatchObject({ transport: 'websocket', initiator: 'server' });
    expect(details.lastPingAt).toBeGreaterThan(details.lastPongAt!);
    await closedByServer;
  });

  it('client close codes and abrupt disconnects are recorded', async () => {
    const first = await openDirect({}, 'EIO=4&transport=websocket');
    const closed = closeOf(first.socket);
    first.ws.close(4000, 'bye now');
    expect(await closed).toEqual(['transport close', expect.objectContaining({ wsCode: 4000, wsReason: 'bye now', initiator: 'client' })]);

    const second = await openDirect({}, 'EIO=3&transport=websocket');
    const dropped = closeOf(second.socket);
    (second.ws as unknown as { _socket: { destroy(): void } })._socket.destroy();
    expect((await dropped)[1]).toMatchObject({ wsCode: 1006 });
  });

  it('a malformed frame ends that session with "parse error", a bystander keeps going', async () => {
    const bystander = await openDirect({}, 'EIO=4&transport=websocket');
    const victim = await openDirect({}, 'EIO=4&transport=websocket');
    const closed = closeOf(victim.socket);
    victim.ws.send('zz');
    expect((await closed)[0]).toBe('parse error');
    bystander.socket.on('message', (data) => bystander.socket.send(data));
    bystander.ws.send('4alive');
    await until(() => bystander.frames.includes('4alive'));
  });

  it('a backed-up WebSocket holds writes in the session buffer until it drains, then delivers them in order', async () => {
    const { ws, frames, socket } = await openDirect({ perMessageDeflate: false }, 'EIO=4&transport=websocket');
    const raw = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    raw.pause();
    const chunk = 'x'.repeat(256 * 1024);
    let sent = 0;
    while (socket.transport.writable && sent < 200) {
      socket.send(`${sent}:${chunk}`);
      sent++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(socket.transport.writable).toBe(false);
    socket.send('after');
    raw.resume();
    await until(() => frames.at(-1) === '4after', 15_000);
    expect(frames.slice(1, -1)).toEqual(Array.from({ length: sent }, (_, i) => `4${i}:${chunk}`));
    expect(socket.transport.writable).toBe(true);
  });

  it('sets the session cookie on a direct WebSocket handshake', async () => {
    env = await startEngine({});
    const { ws } = connect('EIO=4&transport=websocket');
    const [response] = await nextEvent<[IncomingMessage]>(ws, 'upgrade');
    expect(response.headers['set-cookie']?.[0]).toMatch(/^io=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
  });

  it('negotiates permessage-deflate only when asked for (off by default, as in engine.io 3)', async () => {
    env = await startEngine({});
    const byDefault = connect('EIO=4&transport=websocket');
    expect((await nextEvent<[IncomingMessage]>(byDefault.ws, 'upgrade'))[0].headers['sec-websocket-extensions']).toBeUndefined();
    await env.close();
    env = await startEngine({ perMessageDeflate: true });
    const on = connect('EIO=4&transport=websocket');
    expect((await nextEvent<[IncomingMessage]>(on.ws, 'upgrade'))[0].headers['sec-websocket-extensions']).toMatch(/permessage-deflate/);
  });

  it('uses a custom wsEngine class', async () => {
    let built = 0;
    class CountingServer extends WebSocketServer {
      constructor(options: WebSocket.ServerOptions) {
        super(options);
        built++;
      }
    }
    const { socket } = await openDirect({ wsEngine: CountingServer }, 'EIO=4&transport=websocket');
    expect(socket.state).toBe('open.websocket');
    expect(built).toBe(1);
  });
});

describe('upgrades from polling', () => {
  it('probe ping/pong, the pending poll released with a noop, then the upgrade packet switches transports', async () => {
    env = await startEngine({});
    const accepted = env.nextConnection();
    const { sid } = await handshake(env.port, 'EIO=4&transport=polling');
    const socket = await accepted;
    const pendingPoll = request(env.port, 'GET', `/engine.io/?EIO=4&transport=polling&sid=${sid}`);
    await until(() => socket.transport.writable);
    const { ws, frames } = connect(`EIO=4&transport=websocket&sid=${sid}`);
    await nextEvent(ws, 'open');
    await until(() => socket.state === 'open.upgrading');
    ws.send('2probe');
    await until(() => frames.length === 1);
    expect(frames[0]).toBe('3probe');
    expect((await pendingPoll).text).toBe('6');
    socket.send('queued during the upgrade');
    ws.send('5');
    await nextEvent(socket, 'upgrade');
    expect(socket.transport.name).toBe('websocket');
    await until(() => frames.length === 2);
    expect(frames[1]).toBe('4queued during the upgrade');
    const stale = await request(env.port, 'GET', `/engine.io/?EIO=4&transport=polling&sid=${sid}`);
    expect(JSON.parse(stale.text)).toEqual({ code: 3, message: 'Bad request' });
  });

  it('an upgrade that stalls past upgradeTimeout is cancelled; the session stays on polling', async () => {
    env = await startEngine({ upgradeTimeout: 60 });
    const accepted = env.nextConnection();
    const { sid } = await handshake(env.port, 'EIO=3&transport=polling');
    const socket = await accepted;
    const { ws, frames } = connect(`EIO=3&transport=websocket&sid=${sid}`);
    ws.on('open', () => ws.send('2probe'));
    await nextEvent(ws, 'close');
    expect(frames).toEqual(['3probe']);
    expect(socket.state).toBe('open.polling');
    expect(env.records).toContainEqual({ type: 'conn.upgrade', sid, step: 'failed', to: 'websocket', reason: 'upgrade timeout' });
    const stillThere = await request(env.port, 'POST', `/engine.io/?EIO=3&transport=polling&sid=${sid}`, { body: '6:4after' });
    expect(stillThere.text).toBe('ok');
  });

  it('refuses upgrades: unknown sid, websocket not allowed, bad protocol, refused origin; turns away a second probe and upgrades when disabled', async () => {
    env = await startEngine({ origins: ['http://good.example:80'] });
    expect(await refusedUpgrade('EIO=4&transport=websocket&sid=nope')).toEqual({ status: 400, body: { code: 1, message: 'Session ID unknown' } });
    expect(await refusedUpgrade('EIO=7&transport=websocket')).toEqual({ status: 400, body: { code: 5, message: 'Unsupported protocol version' } });
    expect(await refusedUpgrade('EIO=4&transport=websocket', { Origin: 'http://evil.example' })).toEqual({
      status: 403,
      body: { code: 4, message: 'Forbidden' },
    });
    // Without an Origin header a restricted origins list refuses (socket.io 2 semantics), so say where we come from.
    const good = { Origin: 'http://good.example' };
    const opened = await request(env.port, 'GET', '/engine.io/?EIO=4&transport=polling', { headers: good });
    const sid = JSON.parse(opened.text.slice(1)).sid as string;
    const probing = connect(`EIO=4&transport=websocket&sid=${sid}`, good);
    await nextEvent(probing.ws, 'open');
    await until(() => env!.engine.clients[sid].state === 'open.upgrading');
    expect(await turnedAway(`EIO=4&transport=websocket&sid=${sid}`, good)).toEqual({ frames: [], code: 1005 });
    expect(env.engine.clients[sid].state).toBe('open.upgrading');
    expect((await refusedUpgrade(`EIO=4&transport=websocket&sid=${sid}`, { Origin: 'http://evil.example' })).status).toBe(403);
    await env.close();

    env = await startEngine({ allowUpgrades: false });
    const noUpgrades = await handshake(env.port, 'EIO=4&transport=polling');
    expect(noUpgrades.open.upgrades).toEqual([]);
    expect(await turnedAway(`EIO=4&transport=websocket&sid=${noUpgrades.sid}`)).toEqual({ frames: [], code: 1005 });
    expect(env.engine.clients[noUpgrades.sid].state).toBe('open.polling');
    await env.close();

    env = await startEngine({ transports: ['polling'] });
    expect(await refusedUpgrade('EIO=4&transport=websocket')).toEqual({ status: 400, body: { code: 0, message: 'Transport unknown' } });
    await env.close();

    env = await startEngine({ allowRequest: (req, fn) => fn(req.headers['x-token'] === 'ok' ? null : 'no token', req.headers['x-token'] === 'ok') });
    expect(await refusedUpgrade('EIO=3&transport=websocket')).toEqual({ status: 403, body: { code: 4, message: 'no token' } });
    const admitted = connect('EIO=3&transport=websocket', { 'X-Token': 'ok' });
    await until(() => admitted.frames.length === 1);
  });

  it('a server close during an upgrade waits for the upgrade and closes over the new WebSocket', async () => {
    env = await startEngine({});
    const accepted = env.nextConnection();
    const { sid } = await handshake(env.port, 'EIO=3&transport=polling');
    const socket = await accepted;
    const { ws, frames } = connect(`EIO=3&transport=websocket&sid=${sid}`);
    ws.on('open', () => ws.send('2probe'));
    await until(() => frames.length === 1);
    const closed = closeOf(socket);
    socket.send('goodbye');
    socket.close();
    expect(socket.state).toBe('closing');
    const wsClosed = nextEvent(ws, 'close');
    ws.send('5');
    const [reason, details] = await closed;
    expect(reason).toBe('forced close');
    expect(details.transport).toBe('websocket');
    await wsClosed;
    expect(frames).toEqual(['3probe', '4goodbye']);
  });

  it('a probe that closes before the upgrade packet leaves the session on polling', async () => {
    env = await startEngine({});
    const accepted = env.nextConnection();
    const { sid } = await handshake(env.port, 'EIO=4&transport=polling');
    const socket = await accepted;
    const { ws } = connect(`EIO=4&transport=websocket&sid=${sid}`);
    await nextEvent(ws, 'open');
    await until(() => socket.state === 'open.upgrading');
    ws.close();
    await until(() => socket.state === 'open.polling');
    expect(env.records).toContainEqual(expect.objectContaining({ type: 'conn.upgrade', step: 'failed', reason: 'probe transport closed' }));
  });
});
