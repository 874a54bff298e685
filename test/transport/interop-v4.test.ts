/** Interop with engine.io-client 6 (Engine.IO protocol v4). */
import { Socket as ClientSocket, type SocketOptions } from 'engine.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { closeOf, nextEvent, startEngine, until, type TestEngine } from './helpers';
import type { EngineOptions } from '../../src/transport/engine-server';
import type { EngineSocket } from '../../src/transport/engine-socket';

let env: TestEngine | undefined;
const clients: ClientSocket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await env?.close();
  env = undefined;
});

async function connect(options: EngineOptions, clientOptions: Partial<SocketOptions> = {}): Promise<{ client: ClientSocket; socket: EngineSocket }> {
  env ??= await startEngine(options);
  const accepted = env.nextConnection();
  const client = new ClientSocket(env.url, clientOptions);
  clients.push(client);
  const [socket] = await Promise.all([accepted, nextEvent(client, 'open')]);
  return { client, socket };
}

/** The server echoes every message back. */
function echo(socket: EngineSocket): void {
  socket.on('message', (data) => socket.send(data));
}

function collect(client: ClientSocket): unknown[] {
  const received: unknown[] = [];
  client.on('message', (data) => received.push(data));
  return received;
}

/** Makes the client stop answering pings and stop suspecting the server, as if its network went dark. */
function silence(client: ClientSocket): void {
  const internals = client as unknown as { _resetPingTimeout(): void; _pingTimeoutTimer: NodeJS.Timeout; _sendPacket(type: string, ...rest: unknown[]): void };
  clearTimeout(internals._pingTimeoutTimer);
  internals._resetPingTimeout = () => {};
  const send = internals._sendPacket.bind(client);
  internals._sendPacket = (type, ...rest) => {
    if (type !== 'pong') send(type, ...rest);
  };
}

describe('engine.io-client 6 (protocol v4)', () => {
  it('connects over polling, upgrades to websocket, and exchanges text and binary both ways', async () => {
    const { client, socket } = await connect({});
    expect(socket.protocol).toBe(4);
    echo(socket);
    const received = collect(client);
    await nextEvent(socket, 'upgrade');
    expect(socket.transport.name).toBe('websocket');
    expect(socket.state).toBe('open.websocket');
    expect(socket.upgraded).toBe(true);
    client.send('héllo ✓');
    client.send(Buffer.from([1, 2, 3, 255]));
    await until(() => received.length === 2);
    expect(received[0]).toBe('héllo ✓');
    expect(Buffer.from(received[1] as Buffer)).toEqual(Buffer.from([1, 2, 3, 255]));
    expect(env!.records.filter((r) => r.type === 'conn.upgrade').map((r) => (r as { step: string }).step)).toEqual(['probe', 'upgraded']);
  });

  it('websocket only: text and binary both ways', async () => {
    const { client, socket } = await connect({}, { transports: ['websocket'] });
    expect(socket.transport.name).toBe('websocket');
    expect(socket.state).toBe('open.websocket');
    echo(socket);
    const received = collect(client);
    client.send('text');
    client.send(Buffer.from('binary'));
    await until(() => received.length === 2);
    expect(received[0]).toBe('text');
    expect(Buffer.from(received[1] as Buffer).toString()).toBe('binary');
  });

  it('polling only: text and binary both ways (binary as base64 in payloads)', async () => {
    const { client, socket } = await connect({ transports: ['polling'] }, { transports: ['polling'] });
    echo(socket);
    const received = collect(client);
    client.send('one');
    client.send(Buffer.from([9, 8, 7]));
    socket.send('pushed');
    await until(() => received.length === 3);
    expect(received).toContain('one');
    expect(received).toContain('pushed');
    expect(Buffer.from(received.find((m) => typeof m !== 'string') as Buffer)).toEqual(Buffer.from([9, 8, 7]));
    expect(socket.transport.name).toBe('polling');
  });

  it('detects a silent client with a ping timeout, recording the last ping and pong', async () => {
    const { client, socket } = await connect({ pingInterval: 100, pingTimeout: 300 }, { transports: ['websocket'] });
    await nextEvent(socket, 'heartbeat'); // one full ping/pong round first
    silence(client);
    const [reason, details] = await closeOf(socket);
    expect(reason).toBe('ping timeout');
    expect(details.initiator).toBe('server');
    expect(details.lastPingAt).toBeGreaterThan(details.lastPongAt!);
    const close = env!.records.find((r) => r.type === 'conn.close');
    expect(close).toMatchObject({ reason: 'ping timeout', lastPingAt: details.lastPingAt, lastPongAt: details.lastPongAt });
    expect(env!.engine.clientsCount).toBe(0);
  });

  it('close from the server reaches the client; the session ends with "forced close"', async () => {
    const { client, socket } = await connect({}, { transports: ['websocket'] });
    const clientClosed = nextEvent(client, 'close');
    const serverClosed = closeOf(socket);
    socket.close();
    expect((await serverClosed)[0]).toBe('forced close');
    await clientClosed;
  });

  it('close from the client ends the session with "transport close", over polling too', async () => {
    const { client, socket } = await connect({ transports: ['polling'] }, { transports: ['polling'] });
    const closed = closeOf(socket);
    client.close();
    const [reason, details] = await closed;
    expect(reason).toBe('transport close');
    expect(details).toMatchObject({ initiator: 'client', transport: 'polling' });
  });

  it('a polling body over maxHttpBufferSize ends the session, recording size and limit', async () => {
    const { client, socket } = await connect({ maxHttpBufferSize: 100, transports: ['polling'] }, { transports: ['polling'] });
    const closed = closeOf(socket);
    client.send('x'.repeat(500));
    const [reason, details] = await closed;
    expect(reason).toBe('transport error');
    expect(details).toMatchObject({ initiator: 'server', limit: 100 });
    expect(details.size).toBeGreaterThan(100);
    expect(env!.records).toContainEqual(expect.objectContaining({ type: 'conn.error', message: 'payload too large', limit: 100 }));
  });

  it('a WebSocket message over maxHttpBufferSize closes with 1009 and ends the session', async () => {
    const { client, socket } = await connect({ maxHttpBufferSize: 100 }, { transports: ['websocket'] });
    const closed = closeOf(socket);
    client.send('x'.repeat(500));
    const [reason, details] = await closed;
    expect(reason).toBe('transport error');
    expect(details).toMatchObject({ initiator: 'server', wsCode: 1009, limit: 100 });
    expect(details.size).toBeGreaterThan(100);
  });

  it('engine.close() ends every session with "server shutting down"', async () => {
    const a = await connect({}, { transports: ['websocket'] });
    const b = await connect({}, { transports: ['polling'] });
    const closes = Promise.all([closeOf(a.socket), closeOf(b.socket)]);
    env!.engine.close();
    expect((await closes).map(([reason]) => reason)).toEqual(['server shutting down', 'server shutting down']);
    expect(env!.engine.clientsCount).toBe(0);
  });
});
