/**
 * The swimlane model of a log: one lane per connection (Engine.IO session)
 * and, under it, one lane per socket that ran on it, each cut into the
 * states it went through, with markers for what happened on the way
 * (upgrades, heartbeats, errors, joins, leaves) and the cause of its end.
 *
 * Built from events only, so the offline timeline (a JSONL file) and the
 * live inspector (the log's ring) draw the same picture. The causes come from
 * the log's own explanations (src/log/explain.ts) over the same fold replay
 * uses. A window of events may start after a connection opened (the ring
 * overwrote its beginning): its lane then starts at its first event seen.
 */
import type { LogEvent } from '../log/events';
import { clock } from '../log/clock';
import { describeRecovery } from '../log/explain-recovery';
import { endedAbnormally, explainConnection, explainSocket } from '../log/explain';
import { emptyProjections, foldAll, sessionsView, socketKey, wentOutOfSight, type LostRecord } from '../log/projections';

export type ConnectionState = 'polling' | 'upgrading' | 'websocket';
export type SocketState = 'connected';

export interface Segment<S extends string> {
  state: S;
  from: number;
  to: number;
}

export type MarkerKind =
  'ping' | 'pong' | 'probe' | 'upgraded' | 'upgrade-failed' | 'error' | 'refused' | 'join' | 'leave' | 'app-error' | 'close' | 'recovered' | 'not-recovered';

export interface Marker {
  at: number;
  kind: MarkerKind;
  /** Short text drawn beside the marker (a room name), if any. */
  label?: string;
  /** Full text shown on hover. */
  detail: string;
}

interface Ending {
  at: number;
  /** The exact reason the live server gave, or "lost" when its node went down or restarted before recording one, "left" when it went on out of sight after a leave (as replay says). */
  reason: string;
  /** The reason with its evidence, from src/log/explain.ts. */
  cause: string;
  /** Whether it ended in trouble (timeout, error, a killed client, a lost node) rather than by someone's choice (explain.ts). */
  abnormal: boolean;
}

export interface SocketLane {
  id: string;
  nsp: string;
  /** Who it was (`eventLog.label`). */
  label?: string;
  start: number;
  /** Last moment drawn: the disconnect, or the end of the window while connected. */
  end: number;
  segments: Segment<SocketState>[];
  markers: Marker[];
  ending?: Ending;
}

export interface ConnectionLane {
  sid: string;
  node: string;
  protocol?: 3 | 4;
  remoteAddress?: string;
  /** The label of its first labelled socket. */
  label?: string;
  /** Whether the window holds the session's opening (else it started earlier). */
  openSeen: boolean;
  start: number;
  end: number;
  transports: ConnectionState[];
  segments: Segment<ConnectionState>[];
  markers: Marker[];
  sockets: SocketLane[];
  ending?: Ending;
}

export interface LaneOptions {
  /** Keep only this connection (a sid). */
  sid?: string;
  /** Keep only the N connections with the most recent events (what a live view shows). */
  latest?: number;
  /** Where open lanes end; default: the last event's time. */
  now?: number;
}

const EVERY_STATE_END = Number.POSITIVE_INFINITY;

/** How close to a disconnect a leave is taken as part of it (the same tick, give or take a clock step). */
const DISCONNECT_LEAVE_MS = 5;

/** Connections in the order they first appear in `events`, with their sockets. */
export function buildLanes(allEvents: readonly LogEvent[], options: LaneOptions = {}): ConnectionLane[] {
  const now = options.now ?? (allEvents.length > 0 ? allEvents[allEvents.length - 1]!.ts : Date.now());
  const wanted = options.sid !== undefined ? new Set([options.sid]) : options.latest !== undefined ? latestSids(allEvents, options.latest) : undefined;
  // Only the chosen connections' events are folded: a live view of 8 lanes must not fold 10,000 events.
  const events = wanted ? eventsOf(allEvents, wanted) : allEvents;
  const connections = new Map<string, ConnectionLane>();
  const sockets = new Map<string, SocketLane>();
  const fold = emptyProjections(Infinity);
  const view = sessionsView(fold.sessions);
  /** The connection a recovered socket runs on now, when not the one it is drawn under. */
  const hosts = new Map<SocketLane, ConnectionLane>();

  const connection = (sid: string, event: LogEvent): ConnectionLane | undefined => {
    if (wanted && !wanted.has(sid)) return undefined;
    let lane = connections.get(sid);
    if (!lane) {
      lane = { sid, node: event.node, openSeen: false, start: event.ts, end: EVERY_STATE_END, transports: [], segments: [], markers: [], sockets: [] };
      connections.set(sid, lane);
    }
    return lane;
  };

  for (const event of events) {
    foldAll(fold, event);
    switch (event.type) {
      case 'conn.open': {
        const lane = connection(event.sid, event);
        if (!lane) break;
        Object.assign(lane, { protocol: event.protocol, remoteAddress: event.remoteAddress, openSeen: true, start: event.ts });
        enter(lane, event.transport, event.ts);
        break;
      }
      case 'conn.heartbeat': {
        const lane = connection(event.sid, event);
        if (!lane) break;
        const pingish = event.step === 'ping-sent' || event.step === 'ping-received';
        lane.markers.push({ at: event.ts, kind: pingish ? 'ping' : 'pong', detail: `${event.step} ${clock(event.ts)}` });
        break;
      }
      case 'conn.upgrade': {
        const lane = connection(event.sid, event);
        if (!lane) break;
        if (event.step === 'probe') {
          enter(lane, 'upgrading', event.ts);
          lane.markers.push({ at: event.ts, kind: 'probe', detail: `upgrade probe to ${event.to} ${clock(event.ts)}` });
        } else if (event.step === 'upgraded') {
          enter(lane, event.to, event.ts);
          lane.markers.push({ at: event.ts, kind: 'upgraded', detail: `upgraded to ${event.to} ${clock(event.ts)}` });
        } else {
          enter(lane, 'polling', event.ts);
          lane.markers.push({ at: event.ts, kind: 'upgrade-failed', detail: `upgrade to ${event.to} failed: ${event.reason ?? 'no reason recorded'}` });
        }
        break;
      }
      case 'conn.error': {
        const lane = connection(event.sid, event);
        if (!lane) break;
        const size = event.size !== undefined ? ` (${event.size} bytes, limit ${event.limit ?? '?'})` : '';
        lane.markers.push({ at: event.ts, kind: 'error', detail: `${event.transport} error: ${event.message}${size}` });
        break;
      }
      case 'socket.refused': {
        const lane = connection(event.sid, event);
        if (!lane) break;
        lane.markers.push({ at: event.ts, kind: 'refused', label: event.nsp, detail: `namespace ${event.nsp} refused: ${event.message}` });
        break;
      }
      case 'conn.close': {
        const lane = connection(event.sid, event);
        if (!lane) break;
        closeSegments(lane.segments, event.ts);
        lane.end = event.ts;
        const session = view.session(event.sid);
        const cause = (session && explainConnection(session, view.socketsOf(event.sid))) ?? event.reason;
        lane.ending = { at: event.ts, reason: event.reason, cause, abnormal: endedAbnormally(event.reason, event.wsCode) };
        lane.markers.push({ at: event.ts, kind: 'close', detail: cause });
        break;
      }
      case 'socket.recovery': {
        const lane = connection(event.sid, event);
        if (!lane) break;
        lane.markers.push({ at: event.ts, kind: event.recovered ? 'recovered' : 'not-recovered', label: event.nsp, detail: describeRecovery(event) });
        break;
      }
      case 'socket.connect': {
        const lane = connection(event.sid, event);
        if (!lane) break;
        const earlier = event.recovered ? sockets.get(socketKey(event.nsp, event.socketId)) : undefined;
        if (earlier?.ending) {
          // A recovered socket: one life, drawn on, after the gap, where it began.
          continueAfterGap(earlier, event.ts, `recovered on connection ${event.sid} ${clock(event.ts)}`);
          hosts.set(earlier, lane);
          break;
        }
        const socket: SocketLane = {
          id: event.socketId,
          nsp: event.nsp,
          start: event.ts,
          end: EVERY_STATE_END,
          segments: [{ state: 'connected', from: event.ts, to: EVERY_STATE_END }],
          markers: [],
        };
        if (event.label !== undefined) {
          socket.label = event.label;
          lane.label ??= event.label;
        }
        sockets.set(socketKey(event.nsp, event.socketId), socket);
        lane.sockets.push(socket);
        break;
      }
      case 'room.join':
      case 'room.leave': {
        const socket = sockets.get(socketKey(event.nsp, event.socketId));
        // Every socket joins the room named by its own id on connect: not worth a marker.
        if (!socket || socket.ending || event.room === event.socketId) break;
        const kind = event.type === 'room.join' ? 'join' : 'leave';
        socket.markers.push({ at: event.ts, kind, label: event.room, detail: `${kind} ${event.room} ${clock(event.ts)}` });
        break;
      }
      case 'app.error': {
        const socket = event.nsp !== undefined && event.socketId !== undefined ? sockets.get(socketKey(event.nsp, event.socketId)) : undefined;
        socket?.markers.push({ at: event.ts, kind: 'app-error', detail: `handler threw: ${firstLine(event.message)}` });
        break;
      }
      case 'socket.disconnect': {
        const socket = sockets.get(socketKey(event.nsp, event.socketId));
        if (!socket || socket.ending) break;
        closeSegments(socket.segments, event.ts);
        socket.end = event.ts;
        dropLeavesOfDisconnect(socket.markers, event.ts);
        // The explanation is written once the whole window is folded (below): it reads the connection's close.
        socket.ending = { at: event.ts, reason: event.reason, cause: event.reason, abnormal: endedAbnormally(event.reason) };
        socket.markers.push({ at: event.ts, kind: 'close', detail: event.reason });
        break;
      }
      default:
        break;
    }
  }

  const lanes = [...connections.values()];
  for (const lane of lanes) {
    // A session seen only through its later events started earlier: draw it from its first event.
    if (lane.segments.length === 0) enter(lane, 'polling', lane.start, true);
    const session = view.session(lane.sid);
    // Its node went down or restarted before it closed (lost), or left (out of sight), in replay's words: not open.
    if (!lane.ending && session?.lost) endLost(lane, session.lost, explainConnection(session, view.socketsOf(lane.sid))!);
    for (const socket of lane.sockets) {
      const record = view.socket(socket.nsp, socket.id);
      // A recovered socket runs on a later connection now: that one's facts explain its end.
      const socketSession = record && record.sid !== lane.sid ? view.session(record.sid) : session;
      if (!socket.ending && record?.lost) endLost(socket, record.lost, explainSocket(record, socketSession)!);
      // Sockets whose connection closed without their own disconnect (a crash) end with it.
      finishAt(socket, Math.min((hosts.get(socket) ?? lane).end, now));
      // Socket explanations read the connection's close, which is often recorded after the socket's disconnect;
      // so does whether an inherited "transport close" was a killed client (1006).
      const disconnect = record?.disconnect;
      if (!socket.ending || !disconnect) continue;
      socket.ending.cause = explainSocket(record, socketSession) ?? socket.ending.cause;
      // The latest close: a recovered socket has one per drop.
      const close = [...socket.markers].reverse().find((marker) => marker.kind === 'close');
      if (close) close.detail = socket.ending.cause;
      const inherited = socketSession?.close?.reason === disconnect.reason ? socketSession.close.wsCode : undefined;
      socket.ending.abnormal = endedAbnormally(disconnect.reason, inherited);
    }
    finishAt(lane, now);
  }
  return lanes;
}

/** Ends a lane whose node was lost, or out of sight, at that moment, with the explanation replay gives. */
function endLost(lane: { end: number; segments: Segment<string>[]; markers: Marker[]; ending?: Ending }, lost: LostRecord, cause: string): void {
  closeSegments(lane.segments, lost.at);
  lane.end = lost.at;
  const left = wentOutOfSight(lost);
  lane.ending = { at: lost.at, reason: left ? 'left' : 'lost', cause, abnormal: !left };
  lane.markers.push({ at: lost.at, kind: 'close', detail: cause });
}

/** The `count` connections whose latest event is the most recent. */
function latestSids(events: readonly LogEvent[], count: number): Set<string> {
  const sids = new Set<string>();
  for (let i = events.length - 1; i >= 0 && sids.size < count; i--) {
    const sid = (events[i] as { sid?: unknown }).sid;
    if (typeof sid === 'string') sids.add(sid);
  }
  return sids;
}

/** The events of the connections `sids` and of their sockets, plus the node events the fold needs. */
function eventsOf(events: readonly LogEvent[], sids: ReadonlySet<string>): LogEvent[] {
  const sockets = new Set<string>();
  return events.filter((event) => {
    switch (event.type) {
      case 'socket.connect':
        if (!sids.has(event.sid)) return false;
        sockets.add(socketKey(event.nsp, event.socketId));
        return true;
      case 'room.join':
      case 'room.leave':
      case 'socket.disconnect':
        return sockets.has(socketKey(event.nsp, event.socketId));
      case 'app.error':
        return event.nsp !== undefined && event.socketId !== undefined && sockets.has(socketKey(event.nsp, event.socketId));
      case 'server.start':
      case 'node.down':
        return true;
      default:
        return 'sid' in event && event.sid !== undefined && sids.has(event.sid);
    }
  });
}

/** Starts `state` at `at`, ending the current segment. `unknownStart`: the real state before is not in the window. */
function enter(lane: ConnectionLane, state: ConnectionState, at: number, unknownStart = false): void {
  closeSegments(lane.segments, at);
  lane.segments.push({ state, from: at, to: EVERY_STATE_END });
  if (!unknownStart && state !== 'upgrading' && lane.transports[lane.transports.length - 1] !== state) lane.transports.push(state);
}

/**
 * A disconnecting socket leaves all its rooms just before its disconnect is
 * recorded; those leaves are part of the disconnect, not worth a marker each.
 */
function dropLeavesOfDisconnect(markers: Marker[], at: number): void {
  while (markers.length > 0) {
    const last = markers[markers.length - 1]!;
    if (last.kind !== 'leave' || at - last.at > DISCONNECT_LEAVE_MS) return;
    markers.pop();
  }
}

/** A socket back from a gap: connected again from `at`, its earlier end kept as a marker. */
function continueAfterGap(socket: SocketLane, at: number, detail: string): void {
  socket.ending = undefined;
  socket.end = EVERY_STATE_END;
  socket.segments.push({ state: 'connected', from: at, to: EVERY_STATE_END });
  socket.markers.push({ at, kind: 'recovered', detail });
}

function closeSegments(segments: Segment<string>[], at: number): void {
  const last = segments[segments.length - 1];
  if (last && last.to === EVERY_STATE_END) last.to = at;
}

function finishAt(lane: { end: number; segments: Segment<string>[] }, at: number): void {
  if (lane.end !== EVERY_STATE_END) return;
  lane.end = Math.max(at, lane.segments[0]?.from ?? at);
  closeSegments(lane.segments, lane.end);
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
