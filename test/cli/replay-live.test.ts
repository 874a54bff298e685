/**
 * End to end: a real iostate server writes its event log to a JSONL file
 * while real socket.io clients (2.x and 4.x) are disconnected in every
 * documented way; then `iostate replay --json` must give the reason the live
 * server reported and an explanation naming its evidence.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import type { ReplayJson } from '../../src/log/replay';
import { allClients, type ClientKind } from '../interop/harness/clients';
import { FAST_HEARTBEAT, closeIo, nextEvent, onCleanup, startServer, type Fixture } from '../interop/harness/fixture';
import { abortPollingPost, sendUnmaskedFrame } from '../interop/harness/raw-http';
import { isReference } from '../interop/harness/target';
import type { SocketLike } from '../interop/harness/api';
import type { TestClient } from '../interop/harness/clients';

let dir: string;
let files = 0;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iostate-replay-live-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Live {
  fixture: Fixture;
  client: TestClient;
  socket: SocketLike;
  file: string;
  /** The Engine.IO session id, read while the client is connected. */
  sid: string;
  /** The reasons the live server gave: the socket's `disconnect`, the engine connection's `close`. */
  socketReason: Promise<string>;
  connectionReason: Promise<string>;
}

async function start(kind: ClientKind, transports: ('polling' | 'websocket')[], serverOptions: Record<string, unknown> = {}): Promise<Live> {
  const file = path.join(dir, `run-${files++}.jsonl`);
  const fixture = await startServer({ ...serverOptions, eventLog: { file } });
  const { client, socket } = await fixture.pair(kind, '/', { transports });
  const conn = (socket as unknown as { conn: NodeJS.EventEmitter }).conn;
  return {
    fixture,
    client,
    socket,
    file,
    sid: client.engineId,
    socketReason: nextEvent(socket, 'disconnect', 4000).then(([reason]) => reason as string),
    connectionReason: nextEvent(conn, 'close', 4000).then(([reason]) => reason as string),
  };
}

/** Closes the server, waits for the log file to be complete, and replays it for this client's connection. */
async function replayOf(live: Live): Promise<{ connection: ReplayJson['connections'][number]; socket: ReplayJson['sockets'][number] }> {
  const sid = live.sid;
  const socketId = live.socket.id;
  await closeIo(live.fixture.io);
  await (live.fixture.io as unknown as { log: { close(): Promise<void> } }).log.close();
  let stdout = '';
  let stderr = '';
  const code = await main(['replay', live.file, '--json', `--sid=${sid}`], {
    stdout: (t) => (stdout += typeof t === 'string' ? t : Buffer.from(t).toString('utf8')),
    stderr: (t) => (stderr += t),
  });
  expect(stderr).toBe('');
  expect(code).toBe(0);
  const json = JSON.parse(stdout) as ReplayJson;
  return { connection: json.connections.find((c) => c.id === sid)!, socket: json.sockets.find((s) => s.id === socketId)! };
}

for (const kind of allClients) {
  describe.skipIf(isReference)(`replay of a live run, ${kind.name}`, () => {
    it('server namespace disconnect', async () => {
      const live = await start(kind, ['websocket']);
      live.socket.disconnect();
      const reason = await live.socketReason;
      const { socket } = await replayOf(live);
      expect(socket.reason).toBe(reason);
      expect(socket.explanation).toBe('server namespace disconnect: socket.disconnect() called by the application');
    });

    it('forced close after disconnect(true)', async () => {
      const live = await start(kind, ['websocket']);
      live.socket.disconnect(true);
      const [socketReason, connectionReason] = await Promise.all([live.socketReason, live.connectionReason]);
      const { socket, connection } = await replayOf(live);
      expect([socket.reason, connection.reason]).toEqual([socketReason, connectionReason]);
      expect(connection.explanation).toBe(`${connectionReason}: the server closed the connection after socket.disconnect(true) on /`);
    });

    it('client namespace disconnect', async () => {
      const live = await start(kind, ['websocket']);
      live.client.disconnect();
      const reason = await live.socketReason;
      const { socket } = await replayOf(live);
      expect(socket.reason).toBe(reason);
      expect(socket.explanation).toBe('client namespace disconnect: the client left namespace / (socket.disconnect() on the client)');
    });

    for (const transport of ['websocket', 'polling'] as const) {
      it(`transport close (${transport})`, async () => {
        const live = await start(kind, [transport]);
        live.client.dropTransport();
        const [socketReason, connectionReason] = await Promise.all([live.socketReason, live.connectionReason]);
        const { socket, connection } = await replayOf(live);
        expect([socket.reason, connection.reason]).toEqual([socketReason, connectionReason]);
        expect(connection.transports).toEqual([transport]);
        expect(connection.explanation).toMatch(new RegExp(`^transport close: ${transport} closed by the client`));
        expect(socket.explanation).toMatch(new RegExp(`^transport close: ${transport} closed by the client.* \\(connection ${live.sid}\\)$`));
      });
    }

    it('transport error: an invalid WebSocket frame', async () => {
      const live = await start(kind, ['websocket']);
      sendUnmaskedFrame(live.client);
      const [socketReason, connectionReason] = await Promise.all([live.socketReason, live.connectionReason]);
      const { socket, connection } = await replayOf(live);
      expect([socket.reason, connection.reason]).toEqual([socketReason, connectionReason]);
      expect(connection.explanation).toMatch(/^transport error: websocket error: .*MASK/i);
    });

    it('transport error: a polling request broken off', async () => {
      const live = await start(kind, ['polling']);
      await abortPollingPost(live.fixture.port, live.client);
      const [socketReason, connectionReason] = await Promise.all([live.socketReason, live.connectionReason]);
      const { socket, connection } = await replayOf(live);
      expect([socket.reason, connection.reason]).toEqual([socketReason, connectionReason]);
      expect(connection.explanation).toMatch(/^transport error: polling error: .+/);
    });

    for (const transport of ['websocket', 'polling'] as const) {
      it(`transport error: a message over maxHttpBufferSize (${transport})`, async () => {
        const live = await start(kind, [transport], { maxHttpBufferSize: 1000 });
        live.client.emit('big', 'x'.repeat(5000));
        const [socketReason, connectionReason] = await Promise.all([live.socketReason, live.connectionReason]);
        const { socket, connection } = await replayOf(live);
        expect([socket.reason, connection.reason]).toEqual([socketReason, connectionReason]);
        const evidence = /^transport error: message (of (\d+) bytes exceeds|over) maxHttpBufferSize 1000\b/.exec(connection.explanation ?? '');
        expect(evidence, connection.explanation ?? 'no explanation').not.toBeNull();
        if (evidence?.[2] !== undefined) expect(Number(evidence[2])).toBeGreaterThan(1000);
      });
    }

    it('an undecodable packet (parse error)', async () => {
      const live = await start(kind, ['websocket']);
      (live.client.raw as { io: { engine: { write(data: string): void } } }).io.engine.write('2["unterminated');
      const [socketReason, connectionReason] = await Promise.all([live.socketReason, live.connectionReason]);
      const { socket, connection } = await replayOf(live);
      expect([socket.reason, connection.reason]).toEqual([socketReason, connectionReason]);
      // socket.io 2 closes the connection itself on an undecodable packet ("forced close"); 4 reports "parse error".
      expect(connection.explanation).toMatch(
        /^(parse error: the client sent a packet that could not be decoded \(.+\)|forced close: the server closed the connection after an error on websocket: parse error: .+)$/,
      );
    });

    it('ping timeout', async () => {
      const live = await start(kind, ['websocket'], FAST_HEARTBEAT);
      live.client.freeze();
      const [socketReason, connectionReason] = await Promise.all([live.socketReason, live.connectionReason]);
      const { socket, connection } = await replayOf(live);
      expect([socket.reason, connection.reason]).toEqual([socketReason, connectionReason]);
      const time = '\\d\\d:\\d\\d:\\d\\d\\.\\d{3}';
      expect(connection.explanation).toMatch(
        kind.generation === 2
          ? new RegExp(
              `^ping timeout: (last ping from the client ${time}|no ping from the client since the connection opened at ${time}), none within pingInterval \\+ pingTimeout 500 ms$`,
            )
          : new RegExp(
              `^ping timeout: (last pong ${time}|no pong since the connection opened at ${time}), ping sent ${time}, no pong within pingTimeout 300 ms$`,
            ),
      );
    });

    it('server shutting down', async () => {
      const live = await start(kind, ['websocket']);
      onCleanup(() => undefined);
      closeIo(live.fixture.io);
      const [socketReason, connectionReason] = await Promise.all([live.socketReason, live.connectionReason]);
      const { socket, connection } = await replayOf(live);
      expect([socket.reason, connection.reason]).toEqual([socketReason, connectionReason]);
      expect(connection.explanation).toBe(`${connectionReason}: io.close() called`);
    });
  });
}
