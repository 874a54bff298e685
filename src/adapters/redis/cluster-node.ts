/**
 * This server as one node of a cluster: everything that exists once per
 * server rather than once per namespace. It
 * - writes this node's events to the log stream and ingests the other
 *   nodes' events into this server's projections (so room listings are
 *   cluster-wide and answered locally), but only valid ones that speak for
 *   their own node's sessions and sockets: an entry anyone added to the
 *   stream never changes a socket of this node (foreign-claim.ts),
 * - keeps this node alive in Redis and records `node.down` for a node
 *   that stopped renewing its key,
 * - watches the Redis connections and reports trouble once per outage on
 *   every adapter's 'error' event,
 * - records `server.start`, so that the sockets of a previous life under the
 *   same name are dropped everywhere,
 * - announces its live sockets again when the cluster forgot them: Redis
 *   lost its data (restarted empty: the `<key>-epoch` key changed) or
 *   another node declared this one down (a partition longer than
 *   heartbeatTimeout),
 * - leaves the cluster when the server closes (its `server.close` event),
 *   or when `io.adapter(X)` names another cluster: a server is one node of
 *   one cluster at a time, the one its current `redisAdapter(...)` options
 *   name (socket.io's adapters each use their own key and clients).
 */
import { randomUUID } from 'node:crypto';
import type { AdapterServer } from '../adapter-contract';
import type { LogEvent } from '../../log/events';
import { foreignClaim, projectionOwners, type Owners } from '../../log/foreign-claim';
import { sessionEnded } from '../../log/projections/sessions';
import { RedisStreamSink } from '../../log/redis-stream-sink';
import { openReader, openWriter, quit, type ConnectionSource, type Connections } from './connections';
import { roomsOfSocket } from './local-sockets';
import { Liveness } from './liveness';
import { RemoteAcks } from './remote-acks';
import { sameOptions, type ResolvedOptions } from './options';
import type { Channels } from './wire';
import { ThrottledReport } from './throttled-report';
import { StreamReader } from './stream-reader';
import type { Redis } from 'ioredis';

/** What the node needs from an adapter: its namespace, its 'error' event, and to stop it. */
export interface NodeMember {
  readonly nsp: { readonly name: string };
  /** The channels it listens on, on the node's subscriber connection (shared with every member). */
  readonly channels: Channels;
  reportError(error: Error): void;
  close(): void;
}

const nodes = new WeakMap<AdapterServer, ClusterNode>();

/** The node a new one replaces on the same key. */
interface Previous {
  /** Resolves once it has left. */
  readonly left: Promise<void>;
  /** When it shared the log on the same Redis too: where its reader stopped and the nodes it saw, which the new node goes on from. */
  readonly continued?: { readonly lastRead: string; readonly seen: ReadonlySet<string> };
}

export class ClusterNode {
  readonly name: string;
  readonly connections: Connections;
  /** Acks of this node's clients that other nodes' broadcasts wait for. */
  readonly remoteAcks: RemoteAcks;
  private readonly members = new Set<NodeMember>();
  /** Other nodes whose events this node read and that have not left or gone down. */
  private readonly seen = new Set<string>();
  private readonly sink: RedisStreamSink | undefined;
  private readonly detachSink: (() => void) | undefined;
  private readonly reader: StreamReader | undefined;
  /** Who holds each session and socket, to refuse entries that speak for another node's. */
  private readonly owners: Owners;
  /** Entries of the log stream skipped: invalid, or speaking for another node's sockets. */
  private readonly skipped: ThrottledReport;
  private readonly readerClient: Redis | undefined;
  private readonly writerClient: Redis | undefined;
  private readonly liveness: Liveness;
  private readonly unsubscribe: () => void;
  private readonly unwatch: Array<() => void> = [];
  private closing: Promise<void> | undefined;
  /** The `<key>-epoch` value this node knows: it changes only when Redis lost its data. */
  private epoch: string | undefined;
  /**
   * Resolves once the node this one replaces on the same key has left (at
   * once otherwise): its last stream entries and the removal of its
   * liveness key must come before this node's.
   */
  private readonly previousLeft: Promise<void>;
  /** A node of the same cluster replaced this one (other settings): it keeps this node's liveness key. */
  private handedOver = false;

  /**
   * The node of `server` for these options: the current one when it has the
   * same (the adapters of every namespace, and `io.adapter(X)` with equal
   * options, share it); otherwise a new node replaces it: in another
   * cluster (another key or Redis) the server leaves the old one, in the same
   * cluster (other settings, or the same Redis by another url or client) the
   * new node takes over where the old one stopped.
   */
  static for(server: AdapterServer, source: ConnectionSource, options: ResolvedOptions): ClusterNode {
    const current = nodes.get(server);
    if (!current) return ClusterNode.make(server, source, options, undefined);
    if (current.source === source || (current.source.sameTarget(source) && sameOptions(current.options, options))) return current;
    const sameKey = current.options.key === options.key;
    // The same key on the same Redis is the same cluster, by whatever url or client it is reached (a new node takes over, with its connections).
    const sameCluster = sameKey && current.source.sameServer(source);
    // Turning the shared log on or off changes what this server knows of the cluster: it leaves and joins again.
    const previous = current.makeWay(sameCluster && current.options.sharedLog === options.sharedLog);
    // Only the same key (stream, liveness key) needs the old node gone first; another key may be on a Redis that is away.
    return ClusterNode.make(server, source, options, sameKey ? previous : undefined);
  }

  private static make(server: AdapterServer, source: ConnectionSource, options: ResolvedOptions, previous: Previous | undefined): ClusterNode {
    const node = new ClusterNode(server, source, options, previous);
    nodes.set(server, node);
    return node;
  }

  private constructor(
    private readonly server: AdapterServer,
    private readonly source: ConnectionSource,
    readonly options: ResolvedOptions,
    /** The node this one replaces on the same key, if any. */
    previous: Previous | undefined,
  ) {
    this.previousLeft = previous?.left ?? Promise.resolve();
    const continued = previous?.continued;
    for (const node of continued?.seen ?? []) this.seen.add(node);
    this.name = server.log.node;
    this.connections = source.open();
    this.remoteAcks = new RemoteAcks(options.maxPendingAcks, options.requestsTimeout, (error) => this.report(error));
    const { pub, sub } = this.connections;
    this.watch(pub, 'publisher');
    this.watch(sub, 'subscriber');
    const stream = `${options.key}-log`;
    this.owners = projectionOwners(server.log.projections);
    this.skipped = new ThrottledReport(
      (error) => this.report(error),
      (count) => `log stream ${stream}: skipped ${count} more entr${count === 1 ? 'y' : 'ies'} (reported at most once a second)`,
    );
    if (options.sharedLog) {
      // Its own connection, whose commands wait for Redis instead of failing: an
      // outage holds one batch in ioredis and the rest in the sink, in order.
      this.writerClient = openWriter(pub);
      this.writerClient.on('error', () => {
        // The publisher's watch reports Redis failures once per outage.
      });
      const writer = this.writerClient;
      this.sink = new RedisStreamSink({
        client: { call: (command, ...args) => this.previousLeft.then(() => writer.call(command, ...args)) },
        stream,
        maxLen: options.streamMaxLen,
        onError: (error) => this.report(error),
      });
      // The node it replaces in the same cluster wrote them. Not the `node.down`s and `cluster.leave`s: about a cluster this server may have left.
      if (!continued) for (const event of server.log.events()) if (event.node === this.name && !aboutACluster(event)) this.sink.write(event);
      // One of the log's sinks from now on, so that io.log.flush() waits until this node's events are in the stream.
      this.detachSink = server.log.attach(this.sink);
      this.readerClient = openReader(pub);
      this.readerClient.on('error', () => {
        // The reader's own loop reports its failures.
      });
      this.reader = new StreamReader({
        redis: this.readerClient,
        stream,
        node: this.name,
        lastSeq: () => server.log.lastSeq,
        onEvent: (id, event) => this.ingest(id, event),
        onSkip: (id, problem) => this.skip(id, problem),
        onError: (error) => this.report(error),
        after: continued?.lastRead,
      });
      this.reader.start();
    }
    this.unsubscribe = server.log.subscribe((event) => this.onOwnEvent(event));
    if (this.sink && !continued && !this.startIsOnItsWay()) this.announceStart();
    this.liveness = new Liveness({
      redis: pub,
      key: options.key,
      node: this.name,
      interval: options.heartbeatInterval,
      timeout: options.heartbeatTimeout,
      namespaces: () => [...new Set([...this.members].map((member) => member.nsp.name))],
      known: () => this.seen,
      onDown: (node) => this.declareDown(node),
      onError: (error) => this.report(error),
    });
    void this.previousLeft.then(() => {
      if (!this.closing) this.liveness.start();
    });
    pub.on('ready', this.checkEpoch);
    this.unwatch.push(() => pub.off('ready', this.checkEpoch));
    if (pub.status === 'ready') this.checkEpoch();
  }

  /** Resolves once this node read the log already in Redis (at once without a shared log). */
  get caughtUp(): Promise<void> {
    return this.reader?.caughtUp ?? Promise.resolve();
  }

  get sharesLog(): boolean {
    return this.sink !== undefined;
  }

  /** Entries of the log stream this node skipped: invalid, or speaking for sockets of another node. */
  get skippedEntries(): number {
    return this.skipped.total;
  }

  /** Client acks this node waits for on behalf of other nodes' broadcasts (at most `maxPendingAcks`). */
  get pendingRemoteAcks(): number {
    return this.remoteAcks.size;
  }

  join(member: NodeMember): void {
    this.members.add(member);
    void this.previousLeft.then(() => {
      if (!this.closing) void this.liveness.beat();
    });
  }

  leave(member: NodeMember): void {
    this.members.delete(member);
  }

  /**
   * Whether a member still listens on `channel`: the adapter that replaced
   * a namespace's (`io.adapter(X)`) has the same channels, and unsubscribing
   * the connection they share would deafen it too.
   */
  listensOn(channel: string): boolean {
    for (const member of this.members) {
      const { broadcast, request, response, ownResponse } = member.channels;
      if (channel === broadcast || channel === request || channel === response || channel === ownResponse) return true;
    }
    return false;
  }

  /** Live iostate nodes serving `nsp`, this one included, as of the last liveness check. */
  nodesServing(nsp: string): string[] {
    return this.liveness.nodesServing(nsp);
  }

  /** Reports a problem on every adapter of this server. */
  report(error: Error): void {
    let delivered = false;
    for (const member of this.members) {
      member.reportError(error);
      delivered = true;
    }
    if (!delivered) console.warn(`iostate redis adapter: ${error.message}`);
  }

  /** Leaves the cluster: the last events reach the stream, the key is removed, connections close. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.unsubscribe();
    // Their listeners would stay on a subscriber client that the user owns.
    for (const member of [...this.members]) member.close();
    if (nodes.get(this.server) === this) nodes.delete(this.server);
    // Synchronously, before close() returns: what is recorded after a node makes way must not reach its stream.
    this.detachSink?.();
    await this.sink?.close();
    await this.liveness.stop(!this.handedOver);
    this.reader?.stop();
    this.skipped.stop();
    this.remoteAcks.clear();
    for (const unwatch of this.unwatch) unwatch();
    for (const client of [this.readerClient, this.writerClient]) if (client) await quit(client).catch(() => undefined);
    await this.source.close(this.connections);
  }

  /**
   * Makes way for the node that replaces this one (`io.adapter(X)` with
   * other options). Leaving for another cluster, this node says so in the
   * stream (`cluster.leave`, its last entry there), so the other nodes drop
   * its sockets as gone on out of sight rather than lost with a crashed node,
   * and this server forgets theirs, which the next cluster's listings must
   * not show: a `node.down` each, with reason `this node left`, recorded
   * after this node stopped reading and writing the stream, so this cluster
   * never reads it and nothing read later brings their sockets back.
   */
  private makeWay(staysInCluster: boolean): Previous {
    if (staysInCluster) {
      // Stopped now, so that the replacing node reads each entry after it exactly once.
      this.reader?.stop();
      // Its successor renews the same key: removing it could get this node declared down in between.
      this.handedOver = true;
      const left = this.close();
      return { left, continued: this.reader && { lastRead: this.reader.lastRead, seen: new Set(this.seen) } };
    }
    this.reader?.stop();
    const others = new Set(this.seen);
    for (const socket of this.server.log.projections.sessions.sockets()) if (socket.status === 'connected') others.add(socket.node);
    for (const session of this.server.log.projections.sessions.sessions()) if (!sessionEnded(session.status)) others.add(session.node);
    others.delete(this.name);
    if (this.sink) this.server.log.record({ type: 'cluster.leave', cluster: this.options.key });
    const left = this.close();
    for (const node of others) this.server.log.record({ type: 'node.down', down: node, reason: 'this node left' });
    return { left };
  }

  private onOwnEvent(event: LogEvent): void {
    // Once the log handed the event to its sinks (subscribers hear it first): the stream must get the server.close.
    if (event.type === 'server.close' && event.node === this.name) queueMicrotask(() => void this.close());
  }

  private ingest(id: string, event: LogEvent): void {
    const claim = foreignClaim(event, this.owners);
    if (claim) {
      this.skip(id, `refused: ${claim}`);
      return;
    }
    if (event.type === 'node.down') {
      this.seen.delete(event.down);
      if (event.down === this.name) {
        // Folding it would drop this node's own live sockets from its projection.
        this.report(new Error(`node ${event.node} declared this node (${this.name}) down; announcing its sockets again`));
        this.announceSockets();
        return;
      }
    } else if (event.type === 'server.close') {
      this.seen.delete(event.node);
    } else if (event.type === 'cluster.leave') {
      this.seen.delete(event.node);
      this.server.log.ingest(event);
      // Its connections go on in another cluster (or without the shared log): out of this one's sight, not lost.
      if (this.hasSocketsOf(event.node)) this.server.log.record({ type: 'node.down', down: event.node, reason: 'left' });
      return;
    } else {
      this.seen.add(event.node);
    }
    this.server.log.ingest(event);
  }

  private skip(id: string, problem: string): void {
    this.skipped.add(`log stream ${this.options.key}-log: skipped entry ${id}: ${problem}`);
  }

  private readonly checkEpoch = (): void => {
    const { pub } = this.connections;
    const key = `${this.options.key}-epoch`;
    void pub
      .set(key, randomUUID(), 'NX')
      .then(() => pub.get(key))
      .then((epoch) => {
        const known = this.epoch;
        this.epoch = epoch ?? undefined;
        if (known !== undefined && epoch !== known) this.announceSockets();
      })
      .catch(() => {
        // Redis went away again; the next 'ready' checks again.
      });
  };

  /**
   * Whether the stream gets this node's `server.start` without a new one: the
   * memory ring still holds it (and so every event since, written to the
   * stream above), or the ring holds every event of this node from the first
   * and none is a start: the server is not attached yet, and records its
   * start when it is. A second start in the log would tell every reader,
   * replay included, that the node restarted and lost its connections.
   */
  private startIsOnItsWay(): boolean {
    const own = this.server.log.events().filter((event) => event.node === this.name);
    if (own.some((event) => event.type === 'server.start')) return true;
    return this.server.log.lastSeq === 0 || own[0]?.seq === 1;
  }

  /**
   * Tells the cluster this node (re)started: a node restarted under the same
   * name (`hostname:1` in a container) lost the connections of its previous
   * life, which the other nodes drop when they fold `server.start`.
   */
  private announceStart(): void {
    this.server.log.record({ type: 'server.start', path: this.server.path(), settings: { cluster: this.options.key } });
    // Sockets that connected before the adapter was set are still here.
    this.announceSockets();
  }

  /**
   * Records this node's live sockets and their rooms again, so that every
   * node's projection (and the log stream) holds them. Folding them twice
   * changes nothing here.
   */
  private announceSockets(): void {
    if (!this.sink) return;
    for (const nsp of Object.values(this.server.nsps)) {
      for (const socket of Object.values(nsp.connected)) {
        const rooms = roomsOfSocket(nsp, socket.id);
        // The label computed at its connect, not asked of the application again.
        const label = this.server.log.projections.sessions.socket(nsp.name, socket.id)?.label;
        this.server.log.record({
          type: 'socket.connect',
          sid: socket.client.id,
          socketId: socket.id,
          nsp: nsp.name,
          protocol: socket.client.protocol,
          ...(label !== undefined && { label }),
        });
        for (const room of rooms) this.server.log.record({ type: 'room.join', socketId: socket.id, nsp: nsp.name, room });
      }
    }
  }

  private declareDown(node: string): void {
    if (!this.seen.has(node) && !this.hasSocketsOf(node)) return;
    this.seen.delete(node);
    this.server.log.record({ type: 'node.down', down: node });
  }

  /** Whether the sessions projection still holds a connected socket of `node`. */
  private hasSocketsOf(node: string): boolean {
    for (const socket of this.server.log.projections.sessions.sockets()) {
      if (socket.node === node && socket.status === 'connected') return true;
    }
    return false;
  }

  private watch(client: Redis, role: string): void {
    let healthy = true;
    const onError = (error: Error) => {
      if (!healthy) return;
      healthy = false;
      this.report(new Error(`Redis ${role} connection failed: ${error.message}; local delivery continues, the cluster resumes when Redis is back`));
    };
    const onClose = () => {
      if (!healthy || this.closing) return;
      healthy = false;
      this.report(new Error(`Redis ${role} connection lost; local delivery continues, the cluster resumes when Redis is back`));
    };
    const onReady = () => {
      healthy = true;
    };
    client.on('error', onError);
    client.on('close', onClose);
    client.on('ready', onReady);
    this.unwatch.push(() => {
      client.off('error', onError);
      client.off('close', onClose);
      client.off('ready', onReady);
    });
  }
}

/** Events about the cluster a node was in when it recorded them: never written to another cluster's stream. */
function aboutACluster(event: LogEvent): boolean {
  return event.type === 'node.down' || event.type === 'cluster.leave';
}
