// Runs one scenario of ./model on one server (iostate/v4 or socket.io 4.8)
// with real socket.io-client 4.x clients, and returns what each client and
// the app saw. Socket ids become stable names (`c0#1`: client 0's first
// socket) as soon as a middleware sees them, so that the two transcripts
// compare; everything else is kept as it came, in order, but for the order
// between namespaces of the app's events and the order of sets (rooms,
// fetchSockets results, ack responses), which are sorted.
import { createServer as createHttpServer } from 'node:http';
import { Server as SocketIo4 } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { Server as IostateV4 } from '../../../src/v4';
import { closeHttp, listen } from '../../interop/harness/fixture';
import { until } from '../../recovery/one-node-harness';
import type { SideName } from '../harness';
import type { Action, Origin, Scenario, Selector } from './model';

export interface Transcript {
  /** Per client, in order: connect (recovered?), connect_error, disconnect reasons, events and their arguments, ack answers. */
  clients: unknown[][];
  /** What the app saw, in order: fetchSockets results, acks, the rooms after each action. */
  app: unknown[];
  /**
   * Per namespace, what its listeners saw, in order: connections,
   * disconnects, room events. Apart: the order between namespaces, which
   * depends on how each server schedules the packets of one connection.
   */
  namespaces: Record<string, unknown[]>;
}

type AnySocket = any;
const SETTLE_MS = 10_000;

/** An event's arguments: a number, and a binary attachment when asked. Never a string last (see the offsets). */
function payload(n: number, binary: boolean): unknown[] {
  return binary ? [n, Buffer.from([n % 256, 7])] : [n];
}

/** A received binary argument as plain data, the same whatever class the client gave it. */
function plain(value: unknown): unknown {
  if (value instanceof ArrayBuffer) return { bytes: [...new Uint8Array(value)] };
  if (ArrayBuffer.isView(value)) return { bytes: [...new Uint8Array(value.buffer, value.byteOffset, value.byteLength)] };
  return value;
}

function settled(client: ClientSocket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      client.off('connect', done);
      client.off('connect_error', done);
      resolve();
    };
    client.on('connect', done);
    client.on('connect_error', done);
  });
}

export async function runScenario(sideName: SideName, scenario: Scenario, ackTimeout: number): Promise<Transcript> {
  const httpServer = createHttpServer();
  const options = {
    cleanupEmptyChildNamespaces: scenario.cleanup,
    ...(scenario.recovery ? { connectionStateRecovery: { maxDisconnectionDuration: 60_000 } } : {}),
  };
  const io: AnySocket = sideName === 'iostate/v4' ? new IostateV4(httpServer, options) : new SocketIo4(httpServer, options);
  const port = await listen(httpServer);
  const app: unknown[] = [];
  const namespaces: Record<string, unknown[]> = {};
  const clientLogs: unknown[][] = scenario.clients.map(() => []);
  let recording = true;

  // Socket ids → stable names, given in the first middleware: it runs before
  // the socket joins its own room, so every room event already has a name.
  const names = new Map<string, string>();
  const lives = new Map<string, number>();
  const named = (value: unknown): unknown => {
    if (typeof value === 'string') return names.get(value) ?? value;
    if (Array.isArray(value)) return value.map(named);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, named(inner)]));
    return value;
  };
  const note = (...entry: unknown[]) => {
    if (recording) app.push(named(entry));
  };
  const noteIn = (nsp: string, ...entry: unknown[]) => {
    if (recording) (namespaces[nsp] ??= []).push(named(entry));
  };
  const roomsOf = (socket: AnySocket) => ([...socket.rooms] as string[]).map((room) => named(room) as string).sort();

  const live = new Map<number, AnySocket>();
  const nameSocket = (socket: AnySocket, next: (err?: Error) => void) => {
    const client = socket.handshake.auth.client as number;
    if (!names.has(socket.id)) {
      const life = (lives.get(`c${client}`) ?? 0) + 1;
      lives.set(`c${client}`, life);
      names.set(socket.id, `c${client}#${life}`);
    }
    next();
  };
  const refuse = (label: string) => (socket: AnySocket, next: (err?: Error) => void) => {
    if (!socket.handshake.auth.refused) return next();
    const err = Object.assign(new Error(`refused by ${label}`), { data: { by: label, client: socket.handshake.auth.client } });
    next(err);
  };
  const onConnection = (socket: AnySocket) => {
    const client = socket.handshake.auth.client as number;
    noteIn(socket.nsp.name, 'connection', socket.id, socket.recovered, roomsOf(socket), socket.data);
    live.set(client, socket);
    socket.on('mark', (ack: () => void) => ack());
    socket.on('echo', (n: number, ack: (...args: unknown[]) => void) => ack(n, roomsOf(socket), socket.data));
    socket.on('disconnecting', (reason: string) => noteIn(socket.nsp.name, 'disconnecting', socket.id, reason, roomsOf(socket)));
    socket.on('disconnect', (reason: string) => {
      noteIn(socket.nsp.name, 'disconnect', socket.id, reason, socket.connected, roomsOf(socket));
      if (live.get(client) === socket) live.delete(client);
    });
  };
  const watchRooms = (nsp: AnySocket) => {
    for (const event of ['create-room', 'delete-room', 'join-room', 'leave-room']) {
      nsp.adapter.on(event, (...args: unknown[]) => noteIn(nsp.name, event, ...args));
    }
  };

  io.on('new_namespace', (nsp: AnySocket) => watchRooms(nsp));
  watchRooms(io.of('/'));
  const chat = io.of('/chat');
  const parent = io.of(/^\/dyn-\d+$/);
  for (const [nsp, label] of [
    [io, '/'],
    [chat, '/chat'],
    [parent, 'dyn'],
  ] as const) {
    nsp.use(nameSocket);
    nsp.use(refuse(label));
    nsp.on('connection', onConnection);
  }

  const clients: ClientSocket[] = [];
  for (const [index, plan] of scenario.clients.entries()) {
    const log = clientLogs[index];
    const push = (...entry: unknown[]) => {
      if (recording) log.push(named(entry));
    };
    const auth = { client: index, refused: plan.refused };
    const host = plan.shares === undefined || index === 0 ? undefined : clients[plan.shares % index];
    const client =
      host && !Object.hasOwn((host.io as AnySocket).nsps, plan.nsp)
        ? host.io.socket(plan.nsp, { auth })
        : connect(`http://127.0.0.1:${port}${plan.nsp}`, {
            forceNew: true,
            autoConnect: false,
            transports: plan.transport === 'websocket' ? ['websocket'] : ['polling', 'websocket'],
            auth,
            reconnectionDelay: 100,
            reconnectionDelayMax: 100,
            randomizationFactor: 0,
          });
    client.on('connect', () => push('connect', client.id, client.recovered));
    client.on('connect_error', (err: Error & { data?: unknown }) => push('connect_error', err.message, err.data));
    client.on('disconnect', (reason: string) => push('disconnect', reason));
    client.onAny((event: string, ...received: unknown[]) => {
      const args = [...received];
      const ack = typeof args.at(-1) === 'function' ? (args.pop() as (...answer: unknown[]) => void) : undefined;
      // With connection state recovery on, a stored packet ends with its
      // offset: its value differs between servers, whether it is there does
      // not. The app never sends a string last, so every trailing string is
      // an offset: socket.io 4 gives a dynamic parent's operator one per
      // child up to the client's own (docs/recovery.md), iostate one.
      const offset = typeof args.at(-1) === 'string' ? ['+offset'] : [];
      while (typeof args.at(-1) === 'string') args.pop();
      push(event, ...args.map(plain), ...offset, ...(ack ? ['+ack'] : []));
      const answering = (args[0] as { answering?: number[] } | undefined)?.answering;
      if (ack && answering?.includes(index)) ack(`c${index}`);
    });
    clients.push(client);
  }

  const of = (origin: Origin): AnySocket => (origin === 'dyn-parent' ? parent : origin === '/chat' ? chat : io.of(origin));
  const select = (start: AnySocket, chain: Selector[]) =>
    chain.reduce((operator, selector) => operator[selector.op]('rooms' in selector ? selector.rooms : (live.get(selector.client)?.id ?? 'nobody')), start);
  const ids = (sockets: AnySocket[]) => sockets.map((socket) => named(socket.id) as string);

  /**
   * No client is on its way back (reconnecting after its connection dropped),
   * every client agrees with the server on whether it is connected, and each
   * connected one has read all the server sent it.
   */
  const quiesce = async () => {
    await until(
      () => clients.every((client, index) => client.connected === live.has(index) && (client.connected || !client.active)),
      'clients and server to agree on who is connected',
      SETTLE_MS,
    );
    for (const client of clients) {
      if (client.connected)
        await client
          .timeout(SETTLE_MS)
          .emitWithAck('mark')
          .catch(() => undefined);
    }
    note('rooms', roomSnapshot());
  };

  /** Each namespace's rooms and members as its adapter tells them, and the sockets it holds. */
  const roomSnapshot = () =>
    ([...io._nsps.values()] as AnySocket[])
      .map((nsp) => ({
        nsp: nsp.name,
        sockets: ([...nsp.sockets.keys()] as string[]).map((id) => named(id) as string).sort(),
        rooms: ([...nsp.adapter.rooms.entries()] as Array<[string, Set<string>]>)
          .map(([room, members]) => [named(room), [...members].map((id) => named(id) as string).sort()] as const)
          .sort(([x], [y]) => String(x).localeCompare(String(y))),
      }))
      .sort((x, y) => x.nsp.localeCompare(y.nsp));

  const perform = async (action: Action, n: number) => {
    const socket = 'client' in action ? live.get(action.client) : undefined;
    const client = 'client' in action ? clients[action.client] : undefined;
    switch (action.type) {
      case 'join':
        return socket ? socket.join(action.rooms) : note('skip');
      case 'leave':
        return socket ? socket.leave(action.room) : note('skip');
      case 'emit': {
        let operator = select(of(action.origin), action.chain);
        if (action.local) operator = operator.local;
        if (action.volatile) operator = operator.volatile;
        return operator.emit('e', ...payload(n, action.binary));
      }
      case 'direct':
        return socket ? socket.emit('e', ...payload(n, action.binary)) : note('skip');
      case 'socket-emit': {
        if (!socket) return note('skip');
        const operator = action.via === 'broadcast' ? socket.broadcast : socket[action.via](action.rooms);
        return operator.emit('e', n);
      }
      case 'broadcast-ack': {
        const operator = select(of(action.origin), action.chain).timeout(ackTimeout);
        const payload = { n, answering: action.answering };
        const [err, responses] = action.promise
          ? await operator.emitWithAck('ask', payload).then(
              (answers: string[]) => [null, answers],
              (error: Error) => [error.message, []],
            )
          : await new Promise<[unknown, string[]]>((resolve) =>
              operator.emit('ask', payload, (error: Error | null, answers: string[]) => resolve([error?.message ?? null, answers])),
            );
        return note('broadcast-ack', err, [...responses].sort());
      }
      case 'socket-ack': {
        if (!socket) return note('skip');
        const operator = socket.timeout(ackTimeout);
        const payload = { n, answering: action.answers ? [action.client] : [] };
        const answer = action.promise
          ? await operator.emitWithAck('ask', payload).then(
              (first: unknown) => [null, first],
              (error: Error) => [error.message],
            )
          : await new Promise<unknown[]>((resolve) =>
              operator.emit('ask', payload, (error: Error | null, ...args: unknown[]) => resolve([error?.message ?? null, ...args])),
            );
        return note('socket-ack', ...answer);
      }
      case 'client-ack': {
        if (!client?.connected) return note('skip');
        const answer = await new Promise<unknown[]>((resolve) =>
          client
            .timeout(ackTimeout)
            .emit(action.heard ? 'echo' : 'unheard', n, (error: Error | null, ...args: unknown[]) => resolve([error?.message ?? null, ...args])),
        );
        return clientLogs[action.client].push(named(['echo-answer', ...answer]));
      }
      case 'set-data':
        if (!socket) return note('skip');
        socket.data = { value: action.value };
        return;
      case 'fetch': {
        const sockets: AnySocket[] = await select(of(action.origin), action.chain).fetchSockets();
        return note(
          'fetch',
          sockets.map((found) => ({ id: named(found.id), rooms: roomsOf(found), data: found.data })).sort((x, y) => String(x.id).localeCompare(String(y.id))),
        );
      }
      case 'remote': {
        const sockets: AnySocket[] = await select(of(action.origin), action.chain).fetchSockets();
        sockets.sort((x, y) => String(named(x.id)).localeCompare(String(named(y.id))));
        note('remote', action.op, ids(sockets));
        for (const found of sockets) {
          if (action.op === 'disconnect') found.disconnect(action.close);
          else found[action.op](action.room);
        }
        return;
      }
      case 'many': {
        const operator = select(of(action.origin), action.chain);
        return action.op === 'disconnectSockets' ? operator.disconnectSockets(action.close) : operator[action.op](action.rooms);
      }
      case 'server-disconnect':
        return socket ? socket.disconnect(action.close) : note('skip');
      case 'client-disconnect':
        return client?.connected ? client.disconnect() : note('skip');
      case 'client-reconnect': {
        if (!client || client.connected) return note('skip');
        // The client left for a reason that ends its session. socket.io 4
        // still gives back the session of an earlier drop to a client that
        // keeps its id and offset, with that drop's rooms; iostate gives a
        // new socket (docs/recovery.md). Ask both the common question.
        Object.assign(client, { _pid: undefined, _lastOffset: undefined });
        const done = settled(client);
        client.connect();
        return done;
      }
      case 'cut': {
        if (!socket || !client?.connected) return note('skip');
        // socket.io 4 recovers only a client holding an offset of its
        // current session (iostate also recovers one without,
        // docs/recovery.md): give one first to every socket of the
        // connection, so both servers are asked the same.
        for (const [index, each] of clients.entries()) {
          const other = live.get(index);
          if (each.io !== client.io || !each.connected || !other) continue;
          other.nsp.to(other.id).emit('prime', n);
          await each.timeout(SETTLE_MS).emitWithAck('mark');
        }
        const gone = new Promise((resolve) => socket.once('disconnect', resolve));
        const back = settled(client);
        client.io.engine.close();
        await gone;
        action.whileAway.forEach(({ to, except, binary }, k) => {
          let operator = to === 'all' ? socket.nsp : socket.nsp.to(to === 'self' ? socket.id : to);
          if (except) operator = operator.except(except);
          operator.emit('e', ...payload(n + k + 1, binary));
        });
        return back;
      }
    }
  };

  try {
    for (const client of clients) {
      const done = settled(client);
      client.connect();
      await done;
    }
    await quiesce();
    for (const [index, action] of scenario.actions.entries()) {
      await perform(action, index * 10);
      await quiesce();
    }
    return { clients: clientLogs, app, namespaces };
  } finally {
    recording = false;
    for (const client of clients) client.disconnect();
    await io.close();
    if (httpServer.listening) await closeHttp(httpServer);
  }
}
