// Acceptance: a socket.io 4 chat app (chat-app/chat-server.socket-io.ts) runs
// on iostate/v4 with only its import changed (chat-server.iostate.ts), and
// its users and the app see the same conversation on both servers. The
// iostate run also lands in the event log and io.inspect().
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { startChat as startOnSocketIo } from './chat-app/chat-server.socket-io';
import { startChat as startOnIostate } from './chat-app/chat-server.iostate';
import { closeHttp, listen, onCleanup } from '../interop/harness/fixture';
import { connected, delay, next } from './harness';

const CHAT_APP = path.join(__dirname, 'chat-app');

/** What the test reads of either server. */
interface ChatServer {
  close(): Promise<void>;
  sockets: { sockets: { size: number } };
}

/** One conversation: three users, messages with acks, typing, who, a poll with a timeout, one user leaving. */
async function conversation<S extends ChatServer>(start: (httpServer: ReturnType<typeof createServer>, log: string[]) => S) {
  const httpServer = createServer();
  const appLog: string[] = [];
  const io = start(httpServer, appLog);
  const port = await listen(httpServer);
  const users: Record<string, ClientSocket> = {};
  const seen: Record<string, unknown[]> = {};
  onCleanup(async () => {
    for (const user of Object.values(users)) user.disconnect();
    await io.close();
    if (httpServer.listening) await closeHttp(httpServer);
  });
  for (const name of ['ann', 'bob', 'cat']) {
    const user = connect(`http://127.0.0.1:${port}`, { forceNew: true, reconnection: false, transports: ['websocket'] });
    const log: unknown[] = (seen[name] = []);
    user.onAny((event: string, ...args: unknown[]) => log.push([event, ...args.filter((arg) => typeof arg !== 'function')]));
    users[name] = user;
    await connected(user);
  }
  // bob never answers the poll; the others do.
  users.ann.on('are you there', (ack: (answer: string) => void) => ack('ann here'));
  users.cat.on('are you there', (ack: (answer: string) => void) => ack('cat here'));

  const acks: unknown[] = [];
  for (const name of ['ann', 'bob']) acks.push(await users[name].emitWithAck('add user', name));
  acks.push(await users.ann.emitWithAck('new message', 'hello bob'));
  const typing = next(users.ann, 'typing');
  users.bob.emit('typing');
  await typing;
  users.bob.emit('stop typing');
  acks.push(await users.cat.emitWithAck('who'));
  acks.push(await users.cat.emitWithAck('add user', 'cat'));
  acks.push(await users.bob.emitWithAck('add user', 'bobby'));
  acks.push(await users.cat.emitWithAck('poll'));
  acks.push(await users.ann.emitWithAck('who'));
  const left = next(users.ann, 'user left');
  users.bob.disconnect();
  await left;
  await delay(50);
  const sockets = io.sockets.sockets.size;
  return { acks, seen, appLog, sockets, io };
}

describe('acceptance: a socket.io 4 chat app on iostate/v4', () => {
  it('is the socket.io app with only its import changed', () => {
    const original = readFileSync(path.join(CHAT_APP, 'chat-server.socket-io.ts'), 'utf8').split('\n');
    const ported = readFileSync(path.join(CHAT_APP, 'chat-server.iostate.ts'), 'utf8').split('\n');
    expect(ported.length).toBe(original.length);
    const changed = original.flatMap((line, index) => (line === ported[index] ? [] : [[line, ported[index]]]));
    expect(changed).toEqual([["import { Server } from 'socket.io';", "import { Server } from '../../../src/v4';"]]);
  });

  it('users and the app see the same conversation on socket.io 4.8 and on iostate/v4', async () => {
    const theirs = await conversation(startOnSocketIo);
    const ours = await conversation(startOnIostate);
    const transcript = ({ acks, seen, appLog, sockets }: { acks: unknown[]; seen: unknown; appLog: string[]; sockets: number }) => ({
      acks,
      seen,
      appLog,
      sockets,
    });
    expect(transcript(ours)).toEqual(transcript(theirs));
    expect(ours.acks).toEqual([
      { ok: true, numUsers: 1 },
      { ok: true, numUsers: 2 },
      { delivered: 1 },
      ['(anonymous)', 'ann', 'bob'],
      { ok: true, numUsers: 3 },
      { ok: false, numUsers: 3 },
      { answered: -1, error: 'operation has timed out' },
      ['ann', 'bob', 'cat'],
    ]);
    expect(ours.appLog).toEqual(['ann logged in', 'bob logged in', 'cat logged in', 'bob left (client namespace disconnect)']);

    // What socket.io cannot do: the same run is in the log and in the inspector.
    const types = ours.io.log.events().map((event) => event.type);
    expect(types.filter((type) => type === 'socket.connect')).toHaveLength(3);
    expect(types).toContain('socket.disconnect');
    const snapshot = ours.io.inspect();
    expect(snapshot.totals.sockets).toBe(2);
    expect(snapshot.rooms.find((room) => room.name === 'chatters')?.members).toBe(2);
  });
});

describe('the inspector endpoint on iostate/v4', () => {
  it('serves the snapshot of the v4 server (the inspector option, as on the 2.x face)', async () => {
    const { Server } = await import('../../src/v4');
    const httpServer = createServer();
    const io = new Server(httpServer, { inspector: { auth: () => true } });
    const port = await listen(httpServer);
    onCleanup(async () => {
      await io.close();
      if (httpServer.listening) await closeHttp(httpServer);
    });
    const user = connect(`http://127.0.0.1:${port}`, { forceNew: true, reconnection: false, transports: ['websocket'] });
    onCleanup(() => void user.disconnect());
    await connected(user);
    const response = await fetch(`http://127.0.0.1:${port}/iostate/snapshot`);
    const snapshot = (await response.json()) as { totals: { sockets: number }; sockets: Array<{ id: string }> };
    expect(response.status).toBe(200);
    expect(snapshot.totals.sockets).toBe(1);
    expect(snapshot.sockets.map((socket) => socket.id)).toEqual([user.id]);
  });
});
