/**
 * socket.io 4's BroadcastOperator: who an emit goes to (rooms, rooms left
 * out) and how (volatile, local, compress, timeout). It holds the core's
 * immutable `EmitModifiers` value (src/actors/emit-modifiers.ts, the same
 * modifiers the 2.x face chains on its emitters) plus the ack timeout;
 * every modifier returns a new operator, so `const room = io.to('a')` can be
 * reused and never picks up rooms or flags of a later chain.
 *
 * Delivery goes through the core namespace's adapter (one encoding for all
 * recipients); an emit with an ack writes to each recipient and gathers
 * the answers, as socket.io 4 does.
 */
import type { Namespace as CoreNamespace } from '../actors/namespace';
import { NO_MODIFIERS, broadcastOptions, withExcept, withFlag, withRooms, type EmitModifiers } from '../actors/emit-modifiers';
import { PacketType } from '../parser/packet';
import { checkEmittable, timeoutError } from './reserved-events';
import type { ClusterOperations } from '../adapters/adapter-contract';
import { RemoteSocket } from './remote-socket';
import { selectSockets, type Selection } from './selection';
import type { Socket as CoreSocket, SocketFace } from '../actors/socket';
import type { AckResult, AllButLast, EventNames, EventNamesWithAck, EventParams, EventsMap } from './typed-events';

/** What the operator does to a socket of this node: the face's object for it (a v4 Socket). */
interface LocalSocket extends SocketFace {
  readonly core: CoreSocket;
  join(rooms: string | readonly string[]): void;
  leave(room: string): void;
  disconnect(close: boolean): void;
}

/** What an emit with an ack waits for, beside the modifiers. */
export interface AckOptions {
  /** ms before the callback gets an error; undefined: socket.io 4 waits no time at all. */
  readonly timeout?: number;
  /** A RemoteSocket's emit: its ack gets the one answer, not an array (as a Socket's does). */
  readonly expectSingleResponse?: boolean;
}

type AnyFn = (...args: any[]) => void;

export class BroadcastOperator<EmitEvents extends EventsMap = any, SocketData = any> {
  constructor(
    /** The core namespace the operator targets. */
    private readonly nsp: CoreNamespace,
    private readonly modifiers: EmitModifiers = NO_MODIFIERS,
    private readonly acks: AckOptions = NO_ACK_OPTIONS,
  ) {}

  /** Targets a room (or several): members of any of them receive the emit, each once. */
  to(room: string | readonly string[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.with(withRooms(this.modifiers, room));
  }

  /** Same as `to`. */
  in(room: string | readonly string[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.to(room);
  }

  /** Leaves out the members of a room (or a socket, by its id). */
  except(room: string | readonly string[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.with(withExcept(this.modifiers, room));
  }

  /** Whether to compress the packets (WebSocket permessage-deflate, polling compression). */
  compress(compress: boolean): BroadcastOperator<EmitEvents, SocketData> {
    return this.with(withFlag(this.modifiers, 'compress', compress));
  }

  /** The packet may be dropped for a client that cannot take it now. */
  get volatile(): BroadcastOperator<EmitEvents, SocketData> {
    return this.with(withFlag(this.modifiers, 'volatile', true));
  }

  /** Only the sockets of this node, not of the other nodes of a cluster. */
  get local(): BroadcastOperator<EmitEvents, SocketData> {
    return this.with(withFlag(this.modifiers, 'local', true));
  }

  /** An emit with an ack then calls back with an error after `timeout` ms if not every client answered. */
  timeout(timeout: number): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator(this.nsp, this.modifiers, { ...this.acks, timeout });
  }

  /**
   * Emits to every selected socket. With a callback last, waits for every
   * client's ack: `(err, responses)`, `err` once the timeout passed first.
   */
  emit<Ev extends EventNames<EmitEvents>>(event: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    checkEmittable(event);
    const data: unknown[] = [event, ...args];
    if (typeof data[data.length - 1] !== 'function') {
      this.nsp.adapter.broadcast({ type: PacketType.EVENT, nsp: this.nsp.name, data }, broadcastOptions(this.modifiers));
      return true;
    }
    const ack = data.pop() as AnyFn;
    this.emitExpectingAcks(data, ack);
    return true;
  }

  /** `emit` with acks, as a Promise of the responses; rejects once the timeout passed first. */
  emitWithAck<Ev extends EventNamesWithAck<EmitEvents>>(event: Ev, ...args: AllButLast<EventParams<EmitEvents, Ev>>): Promise<AckResult<EmitEvents, Ev>> {
    return new Promise((resolve, reject) => {
      const ack = (err: Error | null, responses: AckResult<EmitEvents, Ev>) => (err ? reject(err) : resolve(responses));
      (this.emit as (...a: unknown[]) => boolean)(event, ...args, ack);
    });
  }

  /**
   * The selected sockets, of every node when the adapter spans several
   * (iostate/redis) and the operator is not `local`: as in socket.io 4, a
   * socket of this node is its Socket object itself, another node's a RemoteSocket.
   */
  fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    const cluster = this.cluster();
    if (!cluster) return Promise.resolve(this.localSockets() as unknown as RemoteSocket<EmitEvents, SocketData>[]);
    return cluster.fetchSockets(this.selection).then((found) =>
      found
        // Answers of other nodes: one without a string id names no socket.
        .filter((details) => typeof details?.id === 'string')
        .map(
          (details) =>
            (this.localFace(details.id) as unknown as RemoteSocket<EmitEvents, SocketData>) ?? new RemoteSocket<EmitEvents, SocketData>(this.nsp, details),
        ),
    );
  }

  /** Makes the selected sockets join `room`. */
  socketsJoin(room: string | readonly string[]): void {
    const rooms = roomList(room);
    const cluster = this.cluster();
    if (cluster) return cluster.addSockets(this.selection, rooms);
    for (const socket of this.localSockets()) socket.join(rooms);
  }

  /** Makes the selected sockets leave `room`. */
  socketsLeave(room: string | readonly string[]): void {
    const rooms = roomList(room);
    const cluster = this.cluster();
    if (cluster) return cluster.delSockets(this.selection, rooms);
    for (const socket of this.localSockets()) for (const name of rooms) socket.leave(name);
  }

  /** Disconnects the selected sockets; with `close`, their whole connections. */
  disconnectSockets(close = false): void {
    const cluster = this.cluster();
    if (cluster) return cluster.disconnectSockets(this.selection, close);
    for (const socket of this.localSockets()) socket.disconnect(close);
  }

  /** The adapter's operations on every node, unless the adapter is a single node's or the operator is `local`. */
  private cluster(): ClusterOperations | undefined {
    const adapter = this.nsp.adapter as Partial<ClusterOperations>;
    return !this.modifiers.flags.local && typeof adapter.addSockets === 'function' ? (adapter as ClusterOperations) : undefined;
  }

  private localFace(id: string): LocalSocket | undefined {
    return Object.hasOwn(this.nsp.connected, id) ? (this.nsp.connected[id].face as LocalSocket | undefined) : undefined;
  }

  /** What the operator selects, for requests to other nodes. */
  get selection(): Selection {
    return { rooms: [...this.modifiers.rooms], except: [...this.modifiers.except] };
  }

  private localSockets(): LocalSocket[] {
    return selectSockets(this.nsp, this.selection).flatMap((socket) => (socket.face ? [socket.face as LocalSocket] : []));
  }

  private with(modifiers: EmitModifiers): BroadcastOperator<EmitEvents, SocketData> {
    return modifiers === this.modifiers ? this : new BroadcastOperator(this.nsp, modifiers, this.acks);
  }

  /**
   * One packet per recipient, each waiting for its ack, on this node and,
   * through a cluster adapter, on the others. The callback gets
   * `(null, responses)` once every node said how many clients it wrote to
   * and every one of them answered, or `(timeout error, responses so far)`.
   * Without a timeout, socket.io 4 waits no time at all (a timer of 0):
   * kept, so an app that forgot `timeout()` sees the same thing on both.
   */
  private emitExpectingAcks(data: unknown[], ack: AnyFn): void {
    const recipients = this.localSockets();
    const cluster = this.cluster();
    const responses: unknown[] = [];
    let expectedServers = cluster ? -1 : 1;
    let servers = 1;
    let expectedClients = recipients.length;
    let done = false;
    const finish = (err: Error | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const forget of forgets) forget();
      ack(err, this.acks.expectSingleResponse ? responses[0] : responses);
    };
    const check = () => {
      if (servers === expectedServers && responses.length === expectedClients) finish(null);
    };
    const onAnswer = (response: unknown) => {
      if (done) return;
      responses.push(response);
      check();
    };
    const timer = setTimeout(() => finish(timeoutError()), this.acks.timeout);
    const forgets = recipients.map((socket) => socket.core.sendEvent(data, this.modifiers.flags, onAnswer));
    if (!cluster) {
      if (recipients.length === 0) process.nextTick(check);
      return;
    }
    const { rooms, except } = this.selection;
    const onClientCount = (count: number) => {
      expectedClients += count;
      servers++;
      check();
    };
    cluster.broadcastWithAck({ type: PacketType.EVENT, nsp: this.nsp.name, data }, { rooms, except, timeout: this.acks.timeout }, onClientCount, onAnswer);
    cluster.serverCount().then(
      (count) => {
        expectedServers = count;
        check();
      },
      // Redis unreachable: only this node's answers can come; the timeout reports the rest.
      () => undefined,
    );
  }
}

const NO_ACK_OPTIONS: AckOptions = Object.freeze({});

function roomList(room: string | readonly string[]): string[] {
  return (typeof room === 'string' ? [room] : [...room]).map(String);
}
