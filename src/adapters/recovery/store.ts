/**
 * One namespace's recovery store: the packets it broadcast lately, each with
 * its offset, and the sessions of its 4.x sockets (pid, room trail, data),
 * connected or away. A socket that comes back with its pid and the offset of
 * the last packet it received gets the packets after it that were addressed
 * to it, in order, once.
 *
 * The packets are kept once for all sockets (not once per recipient), bounded
 * by age (maxDisconnectionDuration), count (maxPackets) and estimated bytes
 * (maxBytes). A packet that leaves the store while a socket may still miss it
 * is noted against that socket, so a later attempt fails with the reason
 * instead of a silent gap:
 * - an absent socket's session notes each packet addressed to it that leaves
 *   (unless it was broadcast `settledMs` or more before the socket left: the
 *   engine would have noticed a dead transport by then, so it was received);
 * - for connected sockets, packets that leave while younger than `settledMs`
 *   are noted by room (eviction-index.ts).
 */
import { randomBytes } from 'node:crypto';
import { EvictionIndex, type Eviction } from './eviction-index';
import { estimateBytes } from './packet-size';
import { RECOVERABLE_REASONS, type HandedPacket, type HandedSession, type KeptBroadcast, type Refusal, type Restored } from './outcome';
import { RoomTrail, addressedTo } from './room-trail';
import type { ResolvedRecoveryOptions } from './options';

interface StoredPacket {
  readonly n: number;
  readonly at: number;
  readonly rooms: readonly string[];
  readonly except: readonly string[];
  readonly data: readonly unknown[];
  readonly bytes: number;
  /** The broadcast's id across the cluster (publisher and number), when it has one. */
  readonly id?: string;
  /** socket.io 2.x's `socket.broadcast`: the socket left out by its id alone, not as a room (so in no `except`). */
  readonly sender?: string;
}

/** What a store tells the cluster (iostate/redis): where away sessions are held, and when they are not any more. */
export interface ClusterHooks {
  away(pid: string): void;
  back(pid: string): void;
}

export interface RecoverySession {
  readonly pid: string;
  readonly socketId: string;
  readonly trail: RoomTrail;
  state: 'connected' | 'absent' | 'claiming';
  disconnectedAt: number;
  data: unknown;
  /** The latest packet addressed to it that left the store while it was away. */
  lost?: Eviction;
  /** Handed over by another node: what that node replayed first, and the cluster ids of those packets (not replayed twice). */
  handed?: { readonly packets: readonly HandedPacket[]; readonly ids: ReadonlySet<string> };
}

/** What a store tells its registry: which pids it holds, and how sessions ended. */
export interface SessionIndex {
  readonly options: ResolvedRecoveryOptions;
  /** pingInterval + pingTimeout of the engine: a packet that old reached a socket still connected. */
  readonly settledMs: number;
  opened(pid: string, store: RecoveryStore): void;
  ended(pid: string, nsp: string, socketId: string, why: Refusal, disconnectedAt?: number): void;
}

export type Begun = { readonly ok: true; readonly session: RecoverySession; readonly from: number } | ({ readonly ok: false } & Refusal);

/** Offsets carry the store's epoch: one from another store (or a restarted server) is told apart. */
const EPOCH_LENGTH = 8;

export class RecoveryStore {
  readonly epoch = randomBytes(6).toString('base64url');
  private packets: Array<StoredPacket | undefined> = [];
  private head = 0;
  private lastN = 0;
  private bytes = 0;
  private readonly byPid = new Map<string, RecoverySession>();
  private readonly bySocket = new Map<string, RecoverySession>();
  /** Sessions away or being claimed, in the order they left. */
  private readonly absent = new Set<RecoverySession>();
  private readonly young = new EvictionIndex();
  /** Set by a cluster adapter: told when sessions go away and come back. */
  cluster: ClusterHooks | undefined;

  constructor(
    readonly nsp: string,
    private readonly index: SessionIndex,
    private readonly now: () => number = Date.now,
  ) {}

  /** How many packets and estimated bytes it holds, and how many sessions are away. */
  get size(): { packets: number; bytes: number; absent: number } {
    return { packets: this.packets.length - this.head, bytes: this.bytes, absent: this.absent.size };
  }

  /** Keeps a broadcast's data; returns it with its offset appended, as 4.x clients get it. */
  keep(data: readonly unknown[], rooms: readonly string[], except: readonly string[], { id, sender }: KeptBroadcast = {}): unknown[] {
    const now = this.now();
    const n = ++this.lastN;
    const withOffset = [...data, this.epoch + n.toString(36)];
    const bytes = estimateBytes(withOffset);
    // One literal, one shape for every packet: a spread followed by keys is V8's slow path.
    this.packets.push({ n, at: now, rooms, except, data: withOffset, bytes, id, sender });
    this.bytes += bytes;
    this.evict(now);
    this.sweep(now);
    return withOffset;
  }

  /** A 4.x socket connected (not recovered): its session starts; returns its pid. */
  open(socketId: string, pid: string): void {
    const session: RecoverySession = { pid, socketId, trail: new RoomTrail(this.lastN, []), state: 'connected', disconnectedAt: 0, data: undefined };
    this.byPid.set(pid, session);
    this.bySocket.set(socketId, session);
    this.index.opened(pid, this);
  }

  /** A connected socket joined or left a room (the adapter's hook). */
  roomChanged(socketId: string, room: string, joined: boolean): void {
    const session = this.bySocket.get(socketId);
    if (session?.state !== 'connected') return;
    session.trail.change(room, joined, this.lastN);
    session.trail.prune(this.firstN());
  }

  /** A socket is leaving (before it leaves its rooms): kept for recovery if the reason allows it. */
  left(socketId: string, reason: string, data: unknown): void {
    const session = this.bySocket.get(socketId);
    if (session?.state !== 'connected') return;
    if (!RECOVERABLE_REASONS.has(reason)) {
      this.end(session, { reason: 'session ended', socketId, detail: `its socket left with "${reason}", which ends its session` });
      return;
    }
    const now = this.now();
    session.state = 'absent';
    session.disconnectedAt = now;
    session.data = data;
    session.lost = undefined;
    this.absent.add(session);
    this.cluster?.away(session.pid);
    this.sweep(now);
  }

  /** The window: how long an away session is kept (ms). */
  get windowMs(): number {
    return this.index.options.maxDisconnectionDuration;
  }

  /** Whether it holds session `pid` (connected, away or being claimed). */
  holds(pid: string): boolean {
    return this.byPid.has(pid);
  }

  /** The number of the latest packet: where a session handed over from another node starts here. */
  get position(): number {
    return this.lastN;
  }

  /**
   * Another node asks for session `pid` (its client came back there): the
   * session leaves this node with what it missed up to now, or not, with why.
   */
  handOver(pid: string, offset: unknown): ({ ok: true } & HandedSession) | ({ ok: false } & Refusal) {
    const begun = this.begin(pid, offset);
    if (!begun.ok) return begun;
    const { session } = begun;
    // The offset each stored packet carries is this store's: the other node gives its own.
    const packets = this.missedSince(session, begun.from).map((packet): HandedPacket =>
      packet.id === undefined ? { data: packet.data.slice(0, -1) } : { data: packet.data.slice(0, -1), id: packet.id },
    );
    const handed: HandedSession = {
      socketId: session.socketId,
      rooms: [...session.trail.rooms],
      data: session.data,
      awayMs: this.now() - session.disconnectedAt,
      packets,
    };
    this.end(session, { reason: 'unknown session', socketId: session.socketId, detail: 'it was recovered on another node' });
    return { ok: true, ...handed };
  }

  /**
   * Takes in a session handed over by another node, to be claimed here: its
   * packets from `from` on (this store's number when the request left) are
   * added after the handed ones, less those with the same cluster id.
   */
  adopt(pid: string, handed: HandedSession, from: number): Begun {
    const ids = new Set<string>();
    for (const packet of handed.packets) if (packet.id !== undefined) ids.add(packet.id);
    const session: RecoverySession = {
      pid,
      socketId: handed.socketId,
      trail: new RoomTrail(from, handed.rooms),
      state: 'claiming',
      disconnectedAt: this.now() - handed.awayMs,
      data: handed.data,
      handed: { packets: handed.packets, ids },
    };
    this.byPid.set(pid, session);
    this.bySocket.set(session.socketId, session);
    this.absent.add(session);
    this.index.opened(pid, this);
    return { ok: true, session, from };
  }

  /** A client asks for session `pid` back, having received up to `offset`: reserves it, or says why not. */
  begin(pid: string, offset: unknown): Begun {
    const session = this.byPid.get(pid);
    if (!session) return { ok: false, reason: 'unknown session' };
    const socketId = session.socketId;
    if (session.state === 'connected')
      return { ok: false, reason: 'still connected', socketId, detail: 'its socket is still connected on its earlier connection' };
    if (session.state === 'claiming') return { ok: false, reason: 'unknown session', socketId, detail: 'another connection is recovering it' };
    const from = this.numberOf(offset, session);
    if (from === undefined)
      return { ok: false, reason: 'unknown offset', socketId, detail: `offset ${describeOffset(offset)} was not given by this namespace` };
    const refusal = this.loss(session, from);
    if (refusal) {
      this.end(session, refusal, session.disconnectedAt);
      return { ok: false, ...refusal };
    }
    session.state = 'claiming';
    return { ok: true, session, from };
  }

  /** A claimed session whose connection went away before it connected: it may be claimed again. */
  release(session: RecoverySession): void {
    if (session.state === 'claiming') session.state = 'absent';
  }

  /** A claimed session that will not come back (a middleware refused it). */
  drop(session: RecoverySession, why: Refusal): void {
    if (session.state === 'claiming') this.end(session, why, session.disconnectedAt);
  }

  /** Gives a claimed session back, with the packets it missed since packet `from`; or says why not after all. */
  finish(session: RecoverySession, from: number): ({ ok: true } & Restored) | ({ ok: false } & Refusal) {
    const now = this.now();
    const refusal = this.loss(session, from);
    if (refusal) {
      this.end(session, refusal, session.disconnectedAt);
      return { ok: false, ...refusal };
    }
    const { trail } = session;
    const missed: Array<readonly unknown[]> = [];
    // Handed over by another node: its packets first, each with this store's offset of where it took over.
    const takeover = this.epoch + trail.sinceN.toString(36);
    for (const packet of session.handed?.packets ?? []) missed.push([...packet.data, takeover]);
    for (const packet of this.missedSince(session, from)) missed.push(packet.data);
    session.handed = undefined;
    session.state = 'connected';
    this.cluster?.back(session.pid);
    this.absent.delete(session);
    trail.prune(this.firstN());
    return {
      ok: true,
      socketId: session.socketId,
      pid: session.pid,
      rooms: [...trail.rooms],
      data: session.data,
      packets: missed,
      awayMs: now - session.disconnectedAt,
    };
  }

  /** The stored packets after `from` addressed to `session`, oldest first (less those another node handed over). */
  private missedSince(session: RecoverySession, from: number): StoredPacket[] {
    const { trail } = session;
    const missed: StoredPacket[] = [];
    const handedIds = session.handed?.ids;
    const low = Math.max(from + 1, this.firstN(), trail.sinceN + 1);
    trail.walkBack(this.lastN, low, (n, rooms) => {
      const packet = this.packetAt(n);
      if (!packet || packet.sender === session.socketId || !addressedTo(rooms, packet.rooms, packet.except)) return;
      if (handedIds && packet.id !== undefined && handedIds.has(packet.id)) return;
      missed.push(packet);
    });
    return missed.reverse();
  }

  /** Why packets after `from` may be missing for `session`, or undefined when all it missed is here. */
  private loss(session: RecoverySession, from: number): Refusal | undefined {
    const now = this.now();
    const { maxDisconnectionDuration } = this.index.options;
    const socketId = session.socketId;
    const expiredBy = now - (session.disconnectedAt + maxDisconnectionDuration);
    if (expiredBy > 0)
      return { reason: 'window expired', socketId, expiredByMs: expiredBy, detail: `away longer than maxDisconnectionDuration ${maxDisconnectionDuration} ms` };
    const lost = session.lost && session.lost.n > from ? session.lost : this.young.after(from, session.trail.roomsSince(from));
    return lost ? this.evictionRefusal(lost, socketId, now) : undefined;
  }

  private evictionRefusal(lost: Eviction, socketId: string, now: number): Refusal {
    const { maxDisconnectionDuration, maxPackets, maxBytes } = this.index.options;
    if (lost.cause === 'window') {
      return {
        reason: 'window expired',
        socketId,
        expiredByMs: Math.max(0, now - (lost.packetAt + maxDisconnectionDuration)),
        detail: `a packet it missed was broadcast more than maxDisconnectionDuration ${maxDisconnectionDuration} ms ago`,
      };
    }
    const bound = lost.cause === 'packets' ? `maxPackets ${maxPackets}` : `maxBytes ${maxBytes}`;
    return { reason: 'buffer bound reached', socketId, detail: `a packet it missed left the store at ${bound}` };
  }

  /** The packet number an offset names (no offset: none received since it connected), or undefined. */
  private numberOf(offset: unknown, session: RecoverySession): number | undefined {
    if (offset === undefined) return session.trail.sinceN;
    if (typeof offset !== 'string' || offset.length > EPOCH_LENGTH + 11 || !offset.startsWith(this.epoch)) return undefined;
    const digits = offset.slice(EPOCH_LENGTH);
    if (!/^[0-9a-z]+$/.test(digits)) return undefined;
    const n = parseInt(digits, 36);
    if (!Number.isSafeInteger(n) || n > this.lastN) return undefined;
    // An offset from before this session (the client's last one, of an earlier socket) means nothing was received since.
    return Math.max(n, session.trail.sinceN);
  }

  private firstN(): number {
    return this.lastN - (this.packets.length - this.head) + 1;
  }

  private packetAt(n: number): StoredPacket | undefined {
    return this.packets[this.head + (n - this.firstN())];
  }

  private evict(now: number): void {
    const { maxDisconnectionDuration, maxPackets, maxBytes } = this.index.options;
    while (this.head < this.packets.length) {
      const oldest = this.packets[this.head]!;
      const count = this.packets.length - this.head;
      const cause = oldest.at + maxDisconnectionDuration < now ? 'window' : count > maxPackets ? 'packets' : this.bytes > maxBytes ? 'bytes' : undefined;
      if (!cause) break;
      this.packets[this.head++] = undefined;
      this.bytes -= oldest.bytes;
      this.noteEviction(oldest, { n: oldest.n, cause, packetAt: oldest.at }, now);
    }
    if (this.head > 1024 && this.head * 2 > this.packets.length) {
      this.packets = this.packets.slice(this.head);
      this.head = 0;
    }
  }

  private noteEviction(packet: StoredPacket, eviction: Eviction, now: number): void {
    const settled = this.index.settledMs;
    if (now - packet.at < settled) this.young.add(eviction, packet.rooms);
    for (const session of this.absent) {
      if (session.disconnectedAt - packet.at >= settled || packet.n <= session.trail.sinceN) continue;
      if (packet.sender !== session.socketId && addressedTo(session.trail.roomsAt(packet.n), packet.rooms, packet.except)) session.lost = eviction;
    }
  }

  /** Ends the sessions away for longer than the window (they left in order, so the oldest come first). */
  private sweep(now: number): void {
    const window = this.index.options.maxDisconnectionDuration;
    for (const session of this.absent) {
      if (session.disconnectedAt + window >= now) break;
      if (session.state === 'claiming') continue; // its claim ends it, with the reason
      this.end(session, { reason: 'window expired', socketId: session.socketId }, session.disconnectedAt);
    }
  }

  private end(session: RecoverySession, why: Refusal, disconnectedAt?: number): void {
    this.cluster?.back(session.pid);
    this.byPid.delete(session.pid);
    if (this.bySocket.get(session.socketId) === session) this.bySocket.delete(session.socketId);
    this.absent.delete(session);
    this.index.ended(session.pid, this.nsp, session.socketId, why, disconnectedAt);
  }
}

/** A client-chosen offset, short and printable, for the log. */
function describeOffset(offset: unknown): string {
  if (typeof offset !== 'string') return `of type ${offset === null ? 'null' : typeof offset}`;
  return JSON.stringify(offset.length > 24 ? `${offset.slice(0, 24)}…` : offset);
}
