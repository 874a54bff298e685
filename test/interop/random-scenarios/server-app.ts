// The app of a random scenario, the same on both servers: its namespaces and
// middlewares, its handlers of client events, and what it observes, with
// socket ids replaced by stable labels (`c0.1/a`: client 0, its second
// connection, namespace /a) so that two servers' observations compare.
import { plain } from '../harness/match-reference';
import type { SideName } from '../harness/differential';
import { inNamespaceOrder, type Room } from './steps';

const REFUSING_NSPS = new Set(['/a', '/dyn-2']);

export class ServerApp {
  /** What the app saw of each socket, in order, by label. */
  readonly perSocket: Record<string, unknown[]> = {};
  /** What the app read (rooms, clients listings), in step order. */
  readonly observations: unknown[] = [];
  /** Clients (by index) whose connects to /a and /dyn-2 the middlewares refuse. */
  readonly refused = new Set<number>();
  /** Clients (by index) whose new sockets the 'connection' handler disconnects at once. */
  readonly kickedOnConnection = new Set<number>();
  /** The room a new socket joins in its 'connection' handler, if any. */
  roomOnConnection: string | null = null;
  /** Whether a leaving socket tells the others, from its 'disconnecting' and 'disconnect' handlers. */
  announceLeaving = false;
  /** Whether each socket's packet middleware (socket.use) refuses 'msg' events, with `data`. */
  refuseMessages = false;
  private readonly labels = new Map<string, string>();
  private readonly sockets = new Map<string, any>();
  /** The RegExp parent of /dyn-1 and /dyn-2. */
  readonly dynamicParent: any;

  /**
   * Where socket.rooms shows a join or leave that has just been made, or a
   * new socket's own room in its 'connection' handler (and so in the
   * 'disconnecting' of a socket disconnected there): iostate's and socket.io
   * 4's socket.rooms show it at once, socket.io 2.5.1's only a tick later,
   * after its adapter called back; 2.5.1's adapter (`sids`) has it at once
   * (docs/differences.md).
   */
  private readonly roomsAtOnceIn: 'socket.rooms' | 'adapter.sids';
  /** The app is written in socket.io 4's API on socket.io 4, in 2.x's elsewhere. */
  private readonly api: 2 | 4;

  constructor(
    readonly io: any,
    side: SideName,
  ) {
    this.roomsAtOnceIn = side === 'socket.io 2.5.1' ? 'adapter.sids' : 'socket.rooms';
    this.api = side === 'socket.io 4' ? 4 : 2;
    const refuse = (socket: any, next: (err?: Error) => void) => {
      if (!REFUSING_NSPS.has(socket.nsp.name) || !this.refused.has(clientOf(socket))) return next();
      next(Object.assign(new Error('refused'), { data: { refused: this.label(socket) } }));
    };
    io.of('/a').use((socket: any, next: (err?: Error) => void) => {
      this.note(socket, 'middleware');
      setImmediate(() => refuse(socket, next));
    });
    const dynamicParent = io.of(/^\/dyn-\d+$/);
    dynamicParent.use((socket: any, next: (err?: Error) => void) => {
      this.note(socket, 'middleware');
      refuse(socket, next);
    });
    const functionParent = io.of((name: string, _query: unknown, next: (err: Error | null, ok: boolean) => void) => next(null, name === '/fn'));
    for (const nsp of [io.of('/'), io.of('/a'), dynamicParent, functionParent]) nsp.on('connection', (socket: any) => this.onConnection(socket));
    this.dynamicParent = dynamicParent;
  }

  /** The connected socket of `label`, if there is one. */
  socket(label: string): any {
    const socket = this.sockets.get(label);
    return socket?.connected ? socket : undefined;
  }

  /** The namespaces where a client connection (`c0.1`) has a connected socket, in SOCKET_NSPS order. */
  connectedNsps(life: string): string[] {
    const nsps = [...this.sockets.entries()]
      .filter(([label, socket]) => label.startsWith(`${life}/`) && socket.connected)
      .map(([label]) => label.slice(life.length));
    return inNamespaceOrder(nsps);
  }

  /** The ids of every socket the app has seen connect, connected or not. */
  seenIds(): string[] {
    return [...this.sockets.values()].map((socket) => socket.id);
  }

  /** Whether every socket of a client connection (`c0.1`) is disconnected. */
  allGone(life: string): boolean {
    return [...this.sockets.entries()].every(([label, socket]) => !label.startsWith(`${life}/`) || socket.disconnected);
  }

  /** Records `entry` under the socket's label. */
  note(socket: any, ...entry: unknown[]): void {
    const label = this.label(socket);
    (this.perSocket[label] ??= []).push(entry);
  }

  observe(...entry: unknown[]): void {
    this.observations.push(entry);
  }

  /** A socket id, or a room named after one, as its label. */
  name(id: string): string {
    return this.labels.get(id) ?? id;
  }

  /** `socket.rooms`, named and sorted. */
  roomsOf(socket: any): string[] {
    return (this.api === 4 ? [...socket.rooms] : Object.keys(socket.rooms)).map((room) => this.name(room)).sort();
  }

  /** The rooms of a socket at the moment of a change, where that side shows them at once. */
  roomsAtOnce(socket: any): string[] {
    if (this.roomsAtOnceIn === 'socket.rooms') return this.roomsOf(socket);
    return this.adapterRoomsOf(socket)
      .map((room) => this.name(room))
      .sort();
  }

  /** `adapter.rooms`: each room with its members and length (a Set of members and its size in socket.io 4), named and sorted. */
  adapterRooms(adapter: any): unknown[] {
    const rooms: Array<[string, string[], number]> =
      this.api === 4
        ? [...(adapter.rooms as Map<string, Set<string>>)].map(([room, members]) => [room, [...members], members.size])
        : Object.entries(adapter.rooms as Record<string, { sockets: Record<string, boolean>; length: number }>).map(([room, { sockets, length }]) => [
            room,
            Object.keys(sockets),
            length,
          ]);
    return rooms
      .map(([room, members, length]) => [this.name(room), members.map((id) => this.name(id)).sort(), length])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  }

  /** The rooms the adapter has for a socket (`adapter.sids`), at once on every side. */
  adapterRoomsOf(socket: any): string[] {
    const rooms = socket.adapter.sids instanceof Map ? socket.adapter.sids.get(socket.id) : socket.adapter.sids[socket.id];
    return rooms instanceof Set ? [...rooms] : Object.keys(rooms ?? {});
  }

  /** The ids of the connected sockets of a namespace (`connected` in 2.x, `sockets` in socket.io 4), named and sorted. */
  connectedOf(nsp: any): string[] {
    return (this.api === 4 ? [...nsp.sockets.keys()] : Object.keys(nsp.connected)).map((id: string) => this.name(id)).sort();
  }

  /** join or leave, and its callback's error (socket.io 4 takes none: it is done when its promise, if any, is). */
  async joinOrLeave(socket: any, change: 'join' | 'leave', rooms: string | string[]): Promise<unknown> {
    if (this.api === 2) return new Promise((resolve) => socket[change](rooms, resolve));
    if (change === 'join') await socket.join(rooms);
    else for (const room of [rooms].flat()) await socket.leave(room);
    return null;
  }

  /** `clients(cb)` (`allSockets()` in socket.io 4): the error message or the named, sorted ids. */
  clients(target: any): Promise<unknown> {
    if (this.api === 4) return target.allSockets().then((ids: Set<string>) => [...ids].map((id) => this.name(id)).sort());
    return new Promise((resolve) => {
      target.clients((err: Error | null, ids: string[]) => resolve(err ? ['error', err.message] : ids.map((id) => this.name(id)).sort()));
    });
  }

  private label(socket: any): string {
    const label = `${String(socket.handshake.query.name)}${socket.nsp.name}`;
    this.labels.set(socket.id, label);
    return label;
  }

  private onConnection(socket: any): void {
    const label = this.label(socket);
    this.sockets.set(label, socket);
    this.note(socket, 'connection', this.roomsAtOnce(socket));
    socket.emit('hello', label);
    socket.use((packet: unknown[], next: (err?: Error) => void) => {
      if (!this.refuseMessages || packet[0] !== 'msg') return next();
      next(Object.assign(new Error('no msg'), { data: { refusedEvent: packet.slice(1).map(plain) } }));
    });
    // A refusal by socket.use: socket.io 4 (and iostate, for a 4.x client) emits it here.
    socket.on('error', (err: Error & { data?: unknown }) => this.note(socket, 'error', err.message, plain(err.data)));
    socket.on('__ping', (ack: () => void) => ack());
    for (const event of ['msg', 'message']) socket.on(event, (...args: unknown[]) => this.note(socket, event, ...args.map(plain)));
    socket.on('echo', (...args: unknown[]) => {
      const ack = args.pop() as (...answer: unknown[]) => void;
      this.note(socket, 'echo', ...args.map(plain));
      ack('echoed', ...args);
    });
    socket.on('relay', (room: Room | null) => {
      this.note(socket, 'relay', room);
      (room === null ? socket.broadcast : socket.to(room)).emit('relayed', label, room);
    });
    socket.on('disconnecting', (reason: string) => {
      this.note(socket, 'disconnecting', reason, this.roomsAtOnce(socket));
      if (this.announceLeaving) socket.broadcast.emit('leaving', label);
    });
    socket.on('disconnect', (reason: string) => {
      this.note(socket, 'disconnect', reason, socket.connected, this.roomsOf(socket));
      if (this.announceLeaving) socket.nsp.emit('left', label);
    });
    if (this.roomOnConnection !== null) socket.join(this.roomOnConnection);
    if (this.kickedOnConnection.has(clientOf(socket))) socket.disconnect();
  }
}

/** The client index of a socket, from the connection name (`c0.1`) in its query. */
function clientOf(socket: any): number {
  return Number(String(socket.handshake.query.name).slice(1).split('.')[0]);
}
