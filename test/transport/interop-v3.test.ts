/** Interop with engine.io-client 3 (Engine.IO protocol v3, the socket.io-client 2.x generation). */
import ClientV3 from 'engine.io-client-v3';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineOptions } from '../../src/transport/engine-server';
import type { EngineSocket } from '../../src/transport/engine-socket';
import { closeOf, nextEvent, startEngine, until, type TestEngine } from './helpers';

/** The part of engine.io-client 3's Socket these tests use. */
interface ClientV3Socket {
  transport: { name: string };
  send(data: string | Buffer): void;
  close(): void;
  on(event: string, fn: (...args: any[]) => void): void;
  once(event: string, fn: (...args: any[]) => void): void;
  removeAllListeners(event: string): void;
  pingIntervalTimer: NodeJS.Timeout;
  pingTimeoutTimer: NodeJS.Timeout;
  setPing(): void;
}

let env: TestEngine | undefined;
const clients: ClientV3Socket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await env?.close();
  env = undefined;
});

async function connect(options: EngineOptions, clientOptions: Record<string, unknown> = {}): Promise<{ client: ClientV3Socket; socket: EngineSocket }> {
  env ??= await startEngine(options);
  const accepted = env.nextConnection();
  const client = new ClientV3(env.url, clientOptions) as ClientV3Socket;
  clients.push(client);
  const [socket] = await Promise.all([accepted, nextEvent(client, 'open')]);
  return { client, socket };
}

function echo(socket: EngineSocket): void {
  socket.on('message', (data) => socket.send(data));
}

function collect(client: ClientV3Socket): unknown[] {
  const received: unknown[] = [];
  client.on('message', (data) => received.push(data));
  return received;
}

const asBuffer = (data: unknown) => Buffer.from(data as ArrayBuffer);

/** Stops the client's pings (and its own liveness check), as if it froze. */
function silence(client: ClientV3Socket): void {
  clearTimeout(client.pingIntervalTimer);
  clearTimeout(client.pingTimeoutTimer);
  client.setPing = () => {};
  client.removeAllListeners('heartbeat');
}

describe('engine.io-client 3 (protocol v3)', () => {
  it('connects over polling, upgrades to websocket, and exchanges text and binary both ways', async () => {
    const { client, socket } = await connect({});
    expect(socket.protocol).toBe(3);
    const upgraded = nextEvent(socket, 'upgrade');
    echo(socket);
    const received = collect(client);
    client.send('before upgrade ✓');
    client.send(Buffer.from([0, 1, 2]));
    await until(() => received.length === 2);
    await upgraded;
    expect(socket.state).toBe('open.websocket');
    client.send('after upgrade');
    client.send(Buffer.from([250, 251]));
    await until(() => received.length === 4);
    expect(received[0]).toBe('before upgrade ✓');
    expect(asBuffer(received[1])).toEqual(Buffer.from([0, 1, 2]));
    expect(received[2]).toBe('after upgrade');
    expect(asBuffer(received[3])).toEqual(Buffer.from([250, 251]));
  });

  it('websocket only: text and binary both ways', async () => {
    const { client, socket } = await connect({}, { transports: ['websocket'] });
    expect(socket.transport.name).toBe('websocket');
    echo(socket);
    const received = collect(client);
    client.send('text');
    client.send(Buffer.from('bytes'));
    await until(() => received.length === 2);
    expect(received[0]).toBe('text');
    expect(asBuffer(received[1]).toString()).toBe('bytes');
  });

  for (const forceBase64 of [false, true]) {
    it(`polling only (${forceBase64 ? 'b64 text payloads' : 'XHR2 binary payloads'}): text and binary both ways`, async () => {
      const { client, socket } = await connect({ allowUpgrades: false }, { transports: ['polling'], forceBase64 });
      echo(socket);
      const received = collect(client);
      client.send('text');
      client.send(Buffer.from([7, 7, 7]));
      await until(() => received.length === 2);
      expect(received[0]).toBe('text');
      expect(asBuffer(received[1])).toEqual(Buffer.from([7, 7, 7]));
      expect(socket.transport.name).toBe('polling');
    });
  }

  it('closes a client that stops pinging after pingInterval + pingTimeout ("ping timeout")', async () => {
    const { client, socket } = await connect({ pingInterval: 100, pingTimeout: 300 }, { transports: ['websocket'] });
    await nextEvent(socket, 'heartbeat');
    silence(client);
    const silentSince = Date.now();
    const [reason, details] = await closeOf(socket);
    expect(reason).toBe('ping timeout');
    expect(Date.now() - silentSince).toBeGreaterThanOrEqual(250);
    expect(details.lastPingAt).toBeLessThanOrEqual(silentSince);
    expect(env!.records).toContainEqual(expect.objectContaining({ type: 'conn.heartbeat', step: 'ping-received' }));
  });

  it('close from the server reaches the client; close from the client ends the session', async () => {
    const first = await connect({}, { transports: ['polling'] });
    const clientClosed = nextEvent(first.client, 'close');
    const serverClosed = closeOf(first.socket);
    first.socket.close();
    expect((await serverClosed)[0]).toBe('forced close');
    await clientClosed;

    const second = await connect({}, { transports: ['websocket'] });
    const closed = closeOf(second.socket);
    second.client.close();
    expect((await closed)[0]).toBe('transport close');
  });

  it('maxHttpBufferSize ends the session over polling (413) and over websocket (1009)', async () => {
    const polling = await connect({ maxHttpBufferSize: 64 }, { transports: ['polling'] });
    const pollingClosed = closeOf(polling.socket);
    polling.client.send('y'.repeat(200));
    const [reason, details] = await pollingClosed;
    expect(reason).toBe('transport error');
    expect(details).toMatchObject({ limit: 64, initiator: 'server' });

    const ws = await connect({ maxHttpBufferSize: 64 }, { transports: ['websocket'] });
    const wsClosed = closeOf(ws.socket);
    ws.client.send('y'.repeat(200));
    expect((await wsClosed)[1]).toMatchObject({ wsCode: 1009, limit: 64 });
  });
});
