/**
 * The Redis adapter: the in-memory adapter (local delivery, membership in
 * the event log) plus the cluster. Broadcasts are published for the other
 * nodes; requests (clients, rooms, remote join/leave/disconnect, fetch
 * sockets) go over the request/response channels, in
 * @socket.io/redis-adapter 8.x's format so socket.io 4 nodes take part,
 * or with `compat: 'socket.io-redis-5'` in socket.io-redis 5's, so socket.io
 * 2 nodes do (requests in either dialect are answered in any mode).
 *
 * With the shared log, this server's projection knows the sockets of every
 * iostate node: `rooms`, `sids`, `clientRooms` are cluster-wide, and
 * `clients`/`allRooms` are answered from it when every node of the
 * namespace is an iostate node; otherwise they ask the other nodes.
 */
import { randomBytes } from 'node:crypto';
import { RoomSet } from '../../log/projections/room-keys';
import type { Packet } from '../../parser/packet';
import type { AdapterNamespace, AdapterSocket, BroadcastOptions, ClusterOperations, SocketSelection } from '../adapter-contract';
import { Adapter, isRecoverable } from '../memory-adapter';
import { RecoveryStore } from '../recovery/store';
import type { RemoteRecovery } from '../recovery/outcome';
import { ClusterRecovery, RECOVER_SESSION, broadcastId } from './cluster-recovery';
import { answerRequest, type Answer } from './answer-request';
import { answerLegacyRequest, type CustomHook } from './answer-legacy-request';
import { typedAsV2 } from '../legacy-adapter';
import { LEGACY_ONLY, LegacyRequestType, SOCKET_IO_REDIS_5, fromLegacyResponse, hasLegacyForm, isLegacyMessage, toLegacyRequest } from './legacy-wire';
import { ClusterNode, type NodeMember } from './cluster-node';
import { whenReady, type ConnectionSource } from './connections';
import { localRooms, localSocket, localSockets, describeSocket, type RemoteSocketData, type Selection } from './local-sockets';
import type { ResolvedOptions } from './options';
import { PendingRequests, RequestTimeoutError } from './pending-requests';
import {
  RequestType,
  broadcastChannel,
  channelsFor,
  decodeBroadcast,
  decodeMessage,
  encodeBroadcast,
  encodeJson,
  encodeMsgpack,
  stringList,
  type Channels,
  type RequestTypeValue,
} from './wire';

type Callback<T> = (err: Error | null, result: T) => void;

/** Distinct warnings printed once each; past this many, they may print again. */
const MAX_REMEMBERED_WARNINGS = 1000;

export class RedisAdapter extends Adapter implements NodeMember, ClusterOperations {
  /** This adapter's id on the wire (as socket.io-redis: one per namespace and node). */
  readonly uid = randomBytes(6).toString('base64url').slice(0, 6);
  readonly channels: Channels;
  readonly node: ClusterNode;
  private readonly pending: PendingRequests;
  /** This node's broadcasts with acks still collecting answers, by request id (forgotten after their timeout). */
  private readonly ackRequests = new Map<string, { onClientCount: (count: number) => void; onAck: (answer: unknown) => void }>();
  private readonly subscribed: Promise<unknown>;
  private readonly warned = new Set<string>();
  private closed = false;
  /** Connection state recovery across the cluster, when the server has it on. */
  private readonly recovery: ClusterRecovery | undefined;
  /** Broadcasts published so far: the number in each one's cluster id. */
  private broadcasts = 0;
  /** Requests go out in socket.io-redis 5's dialect (`compat: 'socket.io-redis-5'`). */
  private readonly legacy: boolean;
  private legacyPeerReported = false;
  /** socket.io-redis 5's hook: what this node replies to a customRequest. */
  customHook: CustomHook = (_data, reply) => reply(null);

  constructor(nsp: AdapterNamespace, source: ConnectionSource, options: ResolvedOptions) {
    super(nsp);
    this.node = ClusterNode.for(nsp.server, source, options);
    this.channels = channelsFor(options.key, nsp.name, this.uid);
    this.pending = new PendingRequests(options.requestsTimeout);
    this.legacy = options.compat === SOCKET_IO_REDIS_5;
    const { sub } = this.node.connections;
    sub.on('pmessageBuffer', this.onBroadcastMessage);
    sub.on('messageBuffer', this.onRequestMessage);
    this.subscribed = Promise.all([
      sub.psubscribe(`${this.channels.broadcast}*`),
      sub.subscribe(this.channels.request, this.channels.response, this.channels.ownResponse),
    ]).catch((error: Error) => this.reportError(new Error(`cannot subscribe to the channels of ${nsp.name}: ${error.message}`)));
    this.node.join(this);
    if (nsp.recovery instanceof RecoveryStore) {
      this.recovery = new ClusterRecovery(
        {
          redis: this.node.connections.pub,
          nodeName: this.node.name,
          liveNodes: () => this.node.nodesServing(this.nsp.name),
          requestOne: (label, body) => this.requestOne(label, body),
          reply: (body) => this.publishAnswer({ body, binary: true }),
          reportError: (error) => this.reportError(error),
        },
        nsp.recovery,
        options.key,
        nsp.recovery.windowMs,
      );
    }
  }

  /** Resolves once this adapter listens to the cluster, has read the shared log, and can ask the other nodes. */
  async ready(): Promise<void> {
    await this.subscribed;
    await this.node.caughtUp;
    // The command connection queues nothing while it connects: a query before this would fail.
    await whenReady(this.node.connections.pub);
  }

  /** Reports a cluster problem on this adapter's 'error' event (a warning when nobody listens). */
  reportError(error: Error): void {
    if (this.listenerCount('error') > 0) {
      this.emit('error', error);
      return;
    }
    if (this.warned.has(error.message)) return;
    // Messages may name stream entries: remembering all of them would grow without end.
    if (this.warned.size >= MAX_REMEMBERED_WARNINGS) this.warned.clear();
    this.warned.add(error.message);
    console.warn(`iostate redis adapter (${this.nsp.name}): ${error.message}`);
  }

  override broadcast(packet: Packet, opts: BroadcastOptions): void {
    const flags = opts.flags ?? {};
    // Under connectionStateRecovery each broadcast gets a cluster id, so a node taking over a recovery replays it once.
    if (this.recovery && isRecoverable(packet, flags)) opts = { ...opts, recoveryId: `${this.uid}:${++this.broadcasts}` };
    if (!flags.local && !this.closed) this.publishBroadcast(packet, opts);
    super.broadcast(packet, opts);
  }

  /** Asks the node that holds session `pid` for it (connectionStateRecovery across nodes). */
  recoverRemote(pid: string, offset: unknown): Promise<RemoteRecovery> {
    return this.recovery ? this.recovery.recover(pid, offset) : Promise.resolve({ ok: false, reason: 'unknown session' });
  }

  private publishBroadcast(packet: Packet, opts: BroadcastOptions): void {
    let message: Buffer;
    try {
      // socket.io 2 nodes encode as the packet type says; socket.io 4 nodes detect binary themselves.
      const sent = this.legacy ? typedAsV2(packet, opts.flags) : packet;
      const wire = {
        rooms: opts.rooms,
        except: opts.except ?? [],
        flags: opts.flags ?? {},
        ...(opts.recoveryId ? { id: opts.recoveryId } : {}),
        ...(opts.sender !== undefined && { sender: opts.sender }),
      };
      message = encodeBroadcast(this.uid, { ...sent, nsp: this.nsp.name }, wire);
    } catch (error) {
      this.reportError(new Error(`broadcast not sent to the other nodes: cannot encode it (${(error as Error).message})`));
      return;
    }
    this.node.connections.pub.publish(broadcastChannel(this.channels, opts.rooms), message).catch((error: Error) => {
      this.reportError(new Error(`broadcast not sent to the other nodes: ${error.message}`));
    });
  }

  /** Ids of the sockets in any of `rooms` (every socket when empty), on every node. */
  override clients(rooms: string[], fn: Callback<string[]>): void {
    rooms = rooms ?? [];
    this.clusterQuery<string[]>({
      label: `clients(${JSON.stringify(rooms)})`,
      fromLog: () => [...(rooms.length === 0 ? this.nsp.server.log.projections.rooms.socketIds(this.nsp.name) : this.recipients({ rooms }))],
      local: () => localSockets(this, this.nsp, { rooms }).map((socket) => socket.id),
      type: RequestType.SOCKETS,
      body: { rooms },
      merge: (into, response) => pushUnique(into, stringList(response.sockets)),
    }).then(
      (ids) => callLater(fn, null, ids),
      (error: Error) => callLater(fn, error, []),
    );
  }

  /** Every room with a member on any node. */
  allRooms(fn: Callback<string[]>): void {
    this.clusterQuery<string[]>({
      label: 'allRooms()',
      fromLog: () => [...this.nsp.server.log.projections.rooms.roomNames(this.nsp.name)],
      local: () => localRooms(this.nsp),
      type: RequestType.ALL_ROOMS,
      body: {},
      merge: (into, response) => pushUnique(into, stringList(response.rooms)),
    }).then(
      (rooms) => callLater(fn, null, rooms),
      (error: Error) => callLater(fn, error, []),
    );
  }

  /** The sockets `selection` picks on every node, as socket.io 4's fetchSockets describes them. */
  async fetchSockets(selection: Selection = { rooms: [] }): Promise<RemoteSocketData[]> {
    const local = localSockets(this, this.nsp, selection).map((socket) => describeSocket(this.nsp, socket));
    return this.ask<RemoteSocketData[]>(
      'fetchSockets()',
      RequestType.REMOTE_FETCH,
      { opts: { rooms: selection.rooms, except: selection.except ?? [] } },
      local,
      (into, response) => {
        if (Array.isArray(response.sockets)) into.push(...(response.sockets as RemoteSocketData[]));
      },
    );
  }

  /**
   * socket.io-redis 5's customRequest: every node's `customHook` replies to
   * `data`, this one's first. Needs `compat: 'socket.io-redis-5'`.
   */
  customRequest(data: unknown, fn?: Callback<unknown[]>): void {
    if (!this.legacy) {
      callLater(fn, new Error(`customRequest() needs compat: '${SOCKET_IO_REDIS_5}' (socket.io 4 nodes would misread it)`), []);
      return;
    }
    const own = new Promise<unknown>((resolve) => this.customHook(data, resolve));
    const others = this.ask<unknown[]>('customRequest()', LEGACY_ONLY, { legacyType: LegacyRequestType.CUSTOM_REQUEST, data }, [], (into, response) => {
      into.push(response.data);
    });
    Promise.all([own, others]).then(
      ([mine, theirs]) => callLater(fn, null, [mine, ...theirs]),
      (error: Error) => callLater(fn, error, []),
    );
  }

  /** socket.io 4's `socketsJoin`: the sockets `selection` picks, on every node, join `rooms` (no answer is awaited, as in socket.io 4). */
  addSockets(selection: SocketSelection, rooms: string[]): void {
    for (const socket of localSockets(this, this.nsp, selection)) socket.join(rooms);
    this.tellOthers({ type: RequestType.REMOTE_JOIN, opts: wireSelection(selection), rooms });
  }

  delSockets(selection: SocketSelection, rooms: string[]): void {
    for (const socket of localSockets(this, this.nsp, selection)) for (const room of rooms) socket.leave(room);
    this.tellOthers({ type: RequestType.REMOTE_LEAVE, opts: wireSelection(selection), rooms });
  }

  disconnectSockets(selection: SocketSelection, close: boolean): void {
    for (const socket of localSockets(this, this.nsp, selection)) socket.disconnect(close);
    this.tellOthers({ type: RequestType.REMOTE_DISCONNECT, opts: wireSelection(selection), close });
  }

  /** socket.io 4's `serverSideEmit`: the namespace's listeners on the other nodes hear `[event, ...args]`. */
  serverSideEmit(args: unknown[]): void {
    this.tellOthers({ type: RequestType.SERVER_SIDE_EMIT, data: args });
  }

  /** The same, with one answer per other node; a timeout rejects with the answers received so far (`error.responses`). */
  async serverSideEmitWithAck(args: unknown[]): Promise<unknown[]> {
    const others = (await this.subscriberCount()) - 1;
    if (others <= 0) return [];
    const requestId = randomBytes(6).toString('base64url').slice(0, 6);
    const responses: unknown[] = [];
    const result = this.pending.wait({
      requestId,
      label: 'serverSideEmit()',
      expected: others,
      expectedNodes: this.node.nodesServing(this.nsp.name).filter((name) => name !== this.node.name),
      onAnswer: (response) => responses.push(response.data),
      result: () => responses,
    });
    await this.publishRequest({ uid: this.uid, requestId, type: RequestType.SERVER_SIDE_EMIT, data: args });
    return result.catch((error: Error) => {
      throw Object.assign(error, { responses });
    });
  }

  /**
   * socket.io 4's broadcast with acks, to the other nodes (this node's
   * sockets are the caller's): each node answers with how many clients it
   * wrote to, then with each client's ack, for as long as `timeout` lasts.
   */
  broadcastWithAck(
    packet: Packet,
    selection: SocketSelection & { timeout?: number },
    onClientCount: (count: number) => void,
    onAck: (answer: unknown) => void,
  ): void {
    if (this.closed) return;
    const requestId = randomBytes(6).toString('base64url').slice(0, 6);
    this.ackRequests.set(requestId, { onClientCount, onAck });
    const forget = setTimeout(() => this.ackRequests.delete(requestId), selection.timeout ?? 0);
    forget.unref();
    const opts = { ...wireSelection(selection), flags: selection.timeout === undefined ? {} : { timeout: selection.timeout } };
    const wirePacket = { type: packet.type, data: packet.data, nsp: this.nsp.name };
    this.node.connections.pub
      .publish(this.channels.request, encodeMsgpack({ uid: this.uid, requestId, type: RequestType.BROADCAST, packet: wirePacket, opts }))
      .catch((error: Error) => {
        this.reportError(new Error(`broadcast with acks not sent to the other nodes: ${error.message}`));
      });
  }

  /** How many nodes (this one included) serve this namespace. */
  serverCount(): Promise<number> {
    return this.subscriberCount();
  }

  /** An answer to one of this node's broadcasts with acks: true when it was one. */
  private onAckResponse(response: Record<string, unknown>): boolean {
    if (response.type !== RequestType.BROADCAST_CLIENT_COUNT && response.type !== RequestType.BROADCAST_ACK) return false;
    const waiting = typeof response.requestId === 'string' ? this.ackRequests.get(response.requestId) : undefined;
    if (!waiting) return true;
    if (response.type === RequestType.BROADCAST_ACK) waiting.onAck(response.packet);
    else if (typeof response.clientCount === 'number' && Number.isInteger(response.clientCount) && response.clientCount >= 0)
      waiting.onClientCount(response.clientCount);
    return true;
  }

  /** Publishes a request no node answers; a failure is reported, as the caller does not wait. */
  private tellOthers(body: Record<string, unknown>): void {
    if (this.closed) return;
    this.node.connections.pub.publish(this.channels.request, encodeJson({ uid: this.uid, ...body })).catch((error: Error) => {
      this.reportError(new Error(`request not sent to the other nodes: ${error.message}`));
    });
  }

  /** Makes the socket `id`, on whichever node it lives, join `room` (socket.io-redis's remoteJoin). */
  remoteJoin(id: string, room: string, fn?: (err: Error | null) => void): void {
    this.remoteSocketRequest(RequestType.REMOTE_JOIN, `remoteJoin(${id}, ${room})`, id, { room }, (socket) => socket.join(room), fn);
  }

  remoteLeave(id: string, room: string, fn?: (err: Error | null) => void): void {
    this.remoteSocketRequest(RequestType.REMOTE_LEAVE, `remoteLeave(${id}, ${room})`, id, { room }, (socket) => socket.leave(room), fn);
  }

  remoteDisconnect(id: string, close: boolean, fn?: (err: Error | null) => void): void {
    this.remoteSocketRequest(RequestType.REMOTE_DISCONNECT, `remoteDisconnect(${id})`, id, { close }, (socket) => socket.disconnect(close), fn);
  }

  /** Stops listening to the cluster for this namespace; the node leaves when its server closes. */
  override close(): void {
    if (this.closed) return;
    this.closed = true;
    const { sub } = this.node.connections;
    sub.off('pmessageBuffer', this.onBroadcastMessage);
    sub.off('messageBuffer', this.onRequestMessage);
    this.node.leave(this);
    if (sub.status === 'ready') {
      // What the adapter that replaced this one (io.adapter(X)) listens on stays subscribed.
      const { broadcast, request, response, ownResponse } = this.channels;
      if (!this.node.listensOn(broadcast)) void sub.punsubscribe(`${broadcast}*`).catch(() => undefined);
      const channels = [request, response, ownResponse].filter((channel) => !this.node.listensOn(channel));
      if (channels.length > 0) void sub.unsubscribe(...channels).catch(() => undefined);
    }
    this.pending.failAll(new Error(`the adapter of ${this.nsp.name} closed`));
    this.ackRequests.clear();
  }

  /**
   * A cluster-wide read: from the shared log when every node serving this
   * namespace is an iostate node that writes it, else by asking the nodes.
   */
  private async clusterQuery<T extends unknown[]>(query: {
    label: string;
    fromLog: () => T;
    local: () => T;
    type: RequestTypeValue;
    body: Record<string, unknown>;
    merge: (into: T, response: Record<string, unknown>) => void;
  }): Promise<T> {
    const subscribers = await this.subscriberCount();
    if (subscribers <= 1) return query.local();
    if (this.node.sharesLog && subscribers <= this.node.nodesServing(this.nsp.name).length) return query.fromLog();
    return this.ask(query.label, query.type, query.body, query.local(), query.merge, subscribers);
  }

  /** Publishes a request and gathers one answer from every other node subscribed to the namespace. */
  private async ask<T>(
    label: string,
    type: RequestTypeValue | typeof LEGACY_ONLY,
    body: Record<string, unknown>,
    initial: T,
    merge: (into: T, response: Record<string, unknown>) => void,
    knownSubscribers?: number,
  ): Promise<T> {
    const subscribers = knownSubscribers ?? (await this.subscriberCount());
    if (subscribers <= 1) return initial;
    if (this.legacy && !hasLegacyForm(type) && subscribers > this.node.nodesServing(this.nsp.name).length) {
      throw new Error(`${label} cannot be answered by socket.io 2 nodes (compat: '${SOCKET_IO_REDIS_5}')`);
    }
    const requestId = randomBytes(6).toString('base64url').slice(0, 6);
    const result = this.pending.wait({
      requestId,
      label,
      expected: subscribers - 1,
      expectedNodes: this.node.nodesServing(this.nsp.name).filter((name) => name !== this.node.name),
      onAnswer: (response) => merge(initial, response),
      result: () => initial,
    });
    await this.publishRequest({ uid: this.uid, requestId, type, ...body });
    return result;
  }

  private remoteSocketRequest(
    type: RequestTypeValue,
    label: string,
    id: string,
    body: Record<string, unknown>,
    onLocal: (socket: AdapterSocket) => void,
    fn?: (err: Error | null) => void,
  ): void {
    const socket = localSocket(this.nsp, id);
    if (socket) {
      onLocal(socket);
      if (fn) process.nextTick(fn, null);
      return;
    }
    const requestId = randomBytes(6).toString('base64url').slice(0, 6);
    const done = this.pending.wait({ requestId, label, expected: 1, expectedNodes: [], onAnswer: () => {}, result: () => undefined });
    this.publishRequest({ uid: this.uid, requestId, type, sid: id, ...body })
      .then(() => done)
      .then(
        () => callLater(fn, null),
        (error: Error) => {
          const cause = error instanceof RequestTimeoutError ? `no node has socket ${id} (no answer within ${error.timeout} ms)` : error.message;
          callLater(fn, new Error(`${label} failed: ${cause}`, { cause: error }));
        },
      );
  }

  /** Publishes a request that one node answers; resolves with its answer, rejects after requestsTimeout. */
  private async requestOne(label: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const requestId = randomBytes(6).toString('base64url').slice(0, 6);
    let answer: Record<string, unknown> = {};
    const done = this.pending.wait({ requestId, label, expected: 1, expectedNodes: [], onAnswer: (response) => (answer = response), result: () => answer });
    await this.publishRequest({ uid: this.uid, requestId, ...body });
    return done;
  }

  private async publishRequest(body: Record<string, unknown>): Promise<void> {
    const wire = this.legacy && hasLegacyForm(body.type as number) ? toLegacyRequest(body) : body;
    try {
      await this.node.connections.pub.publish(this.channels.request, encodeJson(wire));
    } catch (error) {
      this.pending.forget(body.requestId as string);
      throw new Error(`cannot reach the other nodes (Redis: ${(error as Error).message})`);
    }
  }

  /** How many nodes (this one included) listen to this namespace's requests. */
  private async subscriberCount(): Promise<number> {
    try {
      const reply = (await this.node.connections.pub.call('PUBSUB', 'NUMSUB', this.channels.request)) as [string, number | string];
      return Number(reply[1]);
    } catch (error) {
      throw new Error(`cannot reach the other nodes (Redis: ${(error as Error).message})`);
    }
  }

  private readonly onBroadcastMessage = (_pattern: Buffer, channel: Buffer, message: Buffer): void => {
    if (!channel.toString().startsWith(this.channels.broadcast)) return;
    const broadcast = decodeBroadcast(message);
    if (!broadcast || broadcast.uid === this.uid || broadcast.packet.nsp !== this.nsp.name) return;
    // The sender an iostate node names is left out alone (2.x's rule); socket.io nodes name none.
    const { rooms, except, flags, sender } = broadcast.opts;
    const opts = sender === undefined ? { rooms, except, flags } : { rooms, except, flags, sender };
    try {
      super.broadcast(broadcast.packet, this.recovery ? { ...opts, recoveryId: broadcastId(broadcast.opts.id, message) } : opts);
    } catch (error) {
      this.reportError(new Error(`cannot deliver a broadcast from another node: ${(error as Error).message}`));
    }
  };

  private readonly onRequestMessage = (channelBuffer: Buffer, message: Buffer): void => {
    const channel = channelBuffer.toString();
    if (channel === this.channels.response || channel === this.channels.ownResponse) {
      const response = decodeMessage(message);
      if (!response || this.onAckResponse(response)) return;
      this.pending.answer(isLegacyMessage(response) ? fromLegacyResponse(response) : response);
      return;
    }
    if (channel !== this.channels.request) return;
    const request = decodeMessage(message);
    if (!request) return;
    if (isLegacyMessage(request)) return this.onLegacyRequest(request);
    if (request.uid === this.uid) return;
    if (request.type === RECOVER_SESSION) return this.recovery?.answer(request);
    try {
      answerRequest(this, this.nsp, request, (answer) => this.publishAnswer(answer), this.node.remoteAcks);
    } catch (error) {
      this.reportError(new Error(`cannot answer a request from another node: ${(error as Error).message}`));
    }
  };

  private onLegacyRequest(request: Record<string, unknown>): void {
    // Its requests carry no uid: this adapter's own come back to it.
    if (this.pending.has(request.requestid as string)) return;
    if (!this.legacy && !this.legacyPeerReported) {
      this.legacyPeerReported = true;
      this.reportError(
        new Error(
          `a socket.io-redis 5 node (socket.io 2) shares this Redis: this node answers it, but socket.io-redis 5 misreads this node's requests; set compat: '${SOCKET_IO_REDIS_5}'`,
        ),
      );
    }
    try {
      answerLegacyRequest(this, this.nsp, request, this.customHook, (body) => this.publishAnswer({ body }));
    } catch (error) {
      this.reportError(new Error(`cannot answer a request from another node: ${(error as Error).message}`));
    }
  }

  private publishAnswer(answer: Answer): void {
    const body = { ...answer.body, node: this.node.name };
    const payload = answer.binary ? encodeMsgpack(body) : encodeJson(body);
    this.node.connections.pub.publish(this.channels.response, payload).catch((error: Error) => {
      this.reportError(new Error(`cannot answer another node: ${error.message}`));
    });
  }
}

/** Runs a user callback outside the promise chain: if it throws, it throws as a callback does, not as an unhandled rejection. */
function callLater<A extends unknown[]>(fn: ((...args: A) => void) | undefined, ...args: A): void {
  if (fn) process.nextTick(() => fn(...args));
}

function wireSelection(selection: SocketSelection): { rooms: string[]; except: string[] } {
  return { rooms: selection.rooms, except: selection.except ?? [] };
}

/** Room names included: a RoomSet takes long client-chosen names by digest (room-keys.ts). */
function pushUnique(into: string[], items: string[]): void {
  const present = new RoomSet(into);
  for (const item of items) {
    if (present.has(item)) continue;
    present.add(item);
    into.push(item);
  }
}
