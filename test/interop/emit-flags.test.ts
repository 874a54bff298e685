// The emit modifiers of socket.io 2.5.1, compared with the reference:
// binary(false), volatile, and the flags chained on the Server itself.
import { expect } from 'vitest';
import { clientV2, forEachClient, itBeyondReference, startServer, waitUntil, type ClientKind, type SocketLike, type TestClient } from './harness';
import { itMatchesReference, plain, type Side } from './harness/match-reference';

const TRANSPORTS = ['polling', 'websocket'] as const;

for (const transport of TRANSPORTS) {
  itMatchesReference(
    `socket.binary(false) sends Buffers as plain JSON, once (${transport})`,
    async (side, kind) => {
      const fixture = await side.start();
      const { client, socket } = await fixture.pair(kind, '/', { transports: [transport] });
      const frames = client.collectFrames();
      const events = client.collect('m');
      const done = client.next('done');
      expect(socket.binary(false)).toBe(socket);
      socket.emit('m', Buffer.from([1, 2]), { nested: Buffer.from([3]) });
      socket.emit('m', Buffer.from([4]));
      socket.emit('done');
      await done;
      return { frames, events: plain(events) };
    },
    {
      reference: (observed) => {
        expect(observed.frames[0]).toBe('2["m",{"type":"Buffer","data":[1,2]},{"nested":{"type":"Buffer","data":[3]}}]');
        expect(observed.events[1]).toEqual([{ bytes: [4] }]);
      },
    },
  );

  itMatchesReference(
    `namespace.binary(false) sends Buffers as plain JSON to every socket, once (${transport})`,
    async (side, kind) => {
      const fixture = await side.start();
      const { client } = await fixture.pair(kind, '/chat', { transports: [transport] });
      const frames = client.collectFrames();
      const events = client.collect('m');
      const done = client.next('done');
      const chat = fixture.io.of('/chat');
      expect(chat.binary(false)).toBe(chat);
      chat.emit('m', [Buffer.from([5])]);
      chat.emit('m', Buffer.from([6]));
      chat.emit('done');
      await done;
      return { frames, events: plain(events) };
    },
    {
      reference: (observed) => expect(observed.frames[0]).toBe('2/chat,["m",[{"type":"Buffer","data":[5]}]]'),
    },
  );
}

type Sender = 'socket' | 'namespace' | 'server';

/** The emitter a scenario sends with: the socket itself, its namespace, or the Server (which forwards to `/`). */
function emitter(side: { io: any }, socket: SocketLike, sender: Sender): { emit(...args: unknown[]): unknown; volatile: any } {
  if (sender === 'socket') return socket;
  return sender === 'namespace' ? side.io.sockets : side.io;
}

/**
 * Runs `burst` in one tick once the transport can write, then a regular
 * `end` marker, and waits for the marker: what the burst delivered is
 * then on the client.
 */
async function phase(client: TestClient, socket: SocketLike, burst: () => void): Promise<void> {
  await waitUntil(() => (socket.conn.transport as { writable?: boolean }).writable === true);
  const end = client.next('end');
  burst();
  socket.emit('end');
  await end;
}

async function volatileScenario(side: Side, kind: ClientKind, transport: (typeof TRANSPORTS)[number], sender: Sender) {
  const fixture = await side.start();
  const { client, socket } = await fixture.pair(kind, '/', { transports: [transport] });
  const from = () => emitter(fixture, socket, sender);
  const received = client.collect('e');
  const phases: unknown[] = [];
  const run = async (burst: () => void) => {
    received.length = 0;
    await phase(client, socket, burst);
    phases.push(received.map(([value]) => value));
  };
  await run(() => {
    from().emit('e', 'regular');
    from().volatile.emit('e', 'volatile right after a regular emit');
  });
  await run(() => {
    from().volatile.emit('e', 'first volatile');
    from().volatile.emit('e', 'second volatile');
    from().volatile.emit('e', 'third volatile');
  });
  await run(() => {
    from().volatile.emit('e', 'volatile');
    from().volatile.emit('e', 'dropped volatile');
    from().emit('e', 'regular after a dropped volatile');
  });
  return phases;
}

for (const transport of TRANSPORTS) {
  for (const sender of ['socket', 'namespace', 'server'] as const) {
    itMatchesReference(
      `${sender}.volatile drops what the transport cannot write at once (${transport})`,
      (side, kind) => volatileScenario(side, kind, transport, sender),
      {
        reference: (phases) => expect(phases).toEqual([['regular'], ['first volatile'], ['volatile', 'regular after a dropped volatile']]),
      },
    );
  }
}

itMatchesReference(
  'the Server chains json, volatile and local, recorded in io.sockets.flags until the next emit',
  async (side) => {
    const fixture = await side.start();
    const io = fixture.io as any;
    const chained = { json: io.json === io, volatile: io.volatile === io, local: io.local === io };
    const flags = { ...io.sockets.flags };
    io.emit('nobody-listens');
    const afterEmit = { ...io.sockets.flags };
    const methods = Object.fromEntries(['use', 'to', 'in', 'emit', 'send', 'write', 'clients', 'compress', 'binary'].map((name) => [name, typeof io[name]]));
    return { chained, flags, afterEmit, methods };
  },
  {
    clients: [clientV2],
    reference: (observed) => expect(observed.flags).toEqual({ json: true, volatile: true, local: true }),
  },
);

/** `packet.options.compress` of every message packet the engine socket creates (its `packetCreate` event, as engine.io 3 gives it). */
function recordCompress(conn: { on(event: string, listener: (packet: any) => void): unknown }): unknown[] {
  const seen: unknown[] = [];
  conn.on('packetCreate', (packet) => {
    if (packet.type === 'message') seen.push(packet.options?.compress);
  });
  return seen;
}

for (const sender of ['socket', 'namespace', 'server'] as const) {
  itMatchesReference(
    `${sender}.compress(false) reaches the engine packet (packetCreate), once; the default is true`,
    async (side, kind) => {
      const fixture = await side.start();
      const { client, socket } = await fixture.pair(kind);
      const seen = recordCompress(socket.conn);
      const from = () => emitter(fixture, socket, sender) as any;
      const done = client.next('done');
      from().compress(false).emit('c', 'uncompressed');
      from().emit('c', 'default');
      from().compress(true).emit('c', 'compressed');
      socket.emit('done');
      await done;
      return seen;
    },
    {
      // The last one is `done`.
      reference: (seen) => expect(seen).toEqual([false, true, true, true]),
    },
  );
}

// socket.io 2.5.1 writes `binary(true)` data without binary as a BINARY_EVENT
// with no attachment ("50-[...]"), which its own 2.x client cannot read: the
// event and everything after it is lost. iostate sends a plain event.
forEachClient((kind) => {
  itBeyondReference('binary(true) on data without binary sends a plain event, and the next ones still arrive', async () => {
    const fixture = await startServer();
    const { client, socket } = await fixture.pair(kind);
    const frames = client.collectFrames();
    const received = client.collect('m');
    const done = client.next('done');
    socket.binary(true).emit('m', 'text only');
    socket.emit('m', 'after');
    socket.emit('done');
    await done;
    expect(received).toEqual([['text only'], ['after']]);
    expect(frames[0]).toBe('2["m","text only"]');
  });
});
