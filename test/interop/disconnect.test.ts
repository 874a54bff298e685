// Disconnection: disconnect(close), every documented reason, the details
// argument, 'disconnecting' with rooms still present, and 'error'.
import { expect, it } from 'vitest';
import { FAST_HEARTBEAT, forEachClient, itBeyondReference, join, nextEvent, sleep, startServer, type SocketLike, type TestClient } from './harness';
import { abortPollingPost, sendUnmaskedFrame } from './harness/raw-http';

function nextDisconnect(socket: SocketLike, ms = 3000): Promise<[string, any]> {
  return nextEvent(socket, 'disconnect', ms) as Promise<[string, any]>;
}

async function expectAlive(client: TestClient, socket: SocketLike): Promise<void> {
  socket.on('alive?', (fn: (v: boolean) => void) => fn(true));
  expect(await client.ack('alive?')).toEqual([true]);
}

forEachClient((kind) => {
  it('disconnect() / disconnect(false) leaves only that namespace: "server namespace disconnect"', async () => {
    const fixture = await startServer();
    const root = await fixture.pair(kind);
    const chat = await fixture.siblingPair(root.client, '/chat');
    const serverSide = nextDisconnect(chat.socket);
    const clientSide = chat.client.next('disconnect');
    expect(chat.socket.disconnect(false)).toBe(chat.socket);
    expect((await serverSide)[0]).toBe('server namespace disconnect');
    expect((await clientSide)[0]).toBe('io server disconnect');
    expect(root.client.connected).toBe(true);
    await expectAlive(root.client, root.socket);
  });

  it('disconnect(true) closes the whole connection and every socket on it', async () => {
    const fixture = await startServer();
    const root = await fixture.pair(kind);
    const chat = await fixture.siblingPair(root.client, '/chat');
    const rootGone = nextDisconnect(root.socket);
    const chatGone = nextDisconnect(chat.socket);
    const engineClosed = nextEvent(root.socket.conn, 'close');
    chat.socket.disconnect(true);
    expect((await chatGone)[0]).toBe('server namespace disconnect');
    expect((await rootGone)[0]).toBe('server namespace disconnect');
    await engineClosed;
    expect(root.socket.connected).toBe(false);
  });

  it('"client namespace disconnect" when the client leaves the namespace', async () => {
    const fixture = await startServer();
    const root = await fixture.pair(kind);
    const chat = await fixture.siblingPair(root.client, '/chat');
    const gone = nextDisconnect(chat.socket);
    chat.client.disconnect();
    expect((await gone)[0]).toBe('client namespace disconnect');
    await expectAlive(root.client, root.socket);
  });

  for (const transport of ['polling', 'websocket'] as const) {
    it(`"transport close" when the client closes the connection (${transport})`, async () => {
      const fixture = await startServer();
      const { client, socket } = await fixture.pair(kind, '/', { transports: [transport] });
      const gone = nextDisconnect(socket);
      client.dropTransport();
      expect((await gone)[0]).toBe('transport close');
    });
  }

  it('"transport error" when a polling request breaks off mid-body', async () => {
    const fixture = await startServer();
    const { client, socket } = await fixture.pair(kind, '/', { transports: ['polling'] });
    const gone = nextDisconnect(socket);
    await abortPollingPost(fixture.port, client);
    expect((await gone)[0]).toBe('transport error');
  });

  it('"transport error" when the WebSocket breaks the protocol', async () => {
    const fixture = await startServer();
    const { client, socket } = await fixture.pair(kind, '/', { transports: ['websocket'] });
    const gone = nextDisconnect(socket);
    sendUnmaskedFrame(client);
    expect((await gone)[0]).toBe('transport error');
  });

  it('"ping timeout" when the client stops answering, within pingInterval + pingTimeout', async () => {
    const fixture = await startServer(FAST_HEARTBEAT);
    const { client, socket } = await fixture.pair(kind, '/', { transports: ['websocket'] });
    const gone = nextDisconnect(socket, 2000);
    const frozenAt = Date.now();
    client.freeze();
    expect((await gone)[0]).toBe('ping timeout');
    // Bounded by the heartbeat (plus slack for a loaded machine), not by the 25 s default.
    expect(Date.now() - frozenAt).toBeLessThan(2000);
  });

  it('a client that keeps answering pings stays connected past several heartbeats', async () => {
    // Frequent pings, a generous timeout: several round trips, no false alarm on a busy machine.
    const fixture = await startServer({ pingInterval: 100, pingTimeout: 1000 });
    const { client, socket } = await fixture.pair(kind, '/', { transports: ['websocket'] });
    let disconnected = false;
    socket.on('disconnect', () => (disconnected = true));
    await sleep(600);
    expect(disconnected).toBe(false);
    await expectAlive(client, socket);
  });

  it('"disconnecting" fires first, with the rooms still present; then "disconnect" with no rooms', async () => {
    const fixture = await startServer();
    const { client, socket } = await fixture.pair(kind);
    await join(socket, 'room 237');
    const order: string[] = [];
    let roomsWhileDisconnecting: string[] = [];
    let roomsAfter: string[] = ['unset'];
    socket.on('disconnecting', (reason: string) => {
      order.push(`disconnecting:${reason}`);
      roomsWhileDisconnecting = Object.keys(socket.rooms).sort();
    });
    const gone = new Promise<void>((resolve) =>
      socket.on('disconnect', (reason: string) => {
        order.push(`disconnect:${reason}`);
        roomsAfter = Object.keys(socket.rooms);
        resolve();
      }),
    );
    client.disconnect();
    await gone;
    expect(order).toEqual(['disconnecting:client namespace disconnect', 'disconnect:client namespace disconnect']);
    expect(roomsWhileDisconnecting).toEqual([socket.id, 'room 237'].sort());
    expect(roomsAfter).toEqual([]);
  });

  it('"error" fires on the socket when the client sends an undecodable packet; others are unaffected', async () => {
    const fixture = await startServer();
    const { client, socket } = await fixture.pair(kind);
    const bystander = await fixture.pair(kind);
    const failed = nextEvent(socket, 'error');
    client.raw.io.engine.write('2["unterminated');
    expect((await failed)[0]).toBeInstanceOf(Error);
    await expectAlive(bystander.client, bystander.socket);
  });

  itBeyondReference('"disconnect" gets a details object naming the initiator', async () => {
    const fixture = await startServer();
    const byServer = await fixture.pair(kind);
    const byClient = await fixture.pair(kind);
    const serverSide = nextDisconnect(byServer.socket);
    const clientSide = nextDisconnect(byClient.socket);
    byServer.socket.disconnect();
    byClient.client.disconnect();
    const [[, serverDetails], [, clientDetails]] = await Promise.all([serverSide, clientSide]);
    expect(serverDetails).toBeTypeOf('object');
    expect(serverDetails.initiator).toBe('application');
    expect(clientDetails.initiator).toBe('client');
  });

  itBeyondReference('"disconnect" details after a ping timeout carry the initiator', async () => {
    const fixture = await startServer(FAST_HEARTBEAT);
    const { client, socket } = await fixture.pair(kind, '/', { transports: ['websocket'] });
    const gone = nextDisconnect(socket, 2000);
    client.freeze();
    const [reason, details] = await gone;
    expect(reason).toBe('ping timeout');
    expect(details).toBeTypeOf('object');
    expect(['client', 'server']).toContain(details.initiator);
  });
});
