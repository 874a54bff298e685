/**
 * The lifecycle event log's vocabulary: one discriminated union, zod schemas
 * first, TypeScript types inferred from them. Every lifecycle transition and
 * every room change of the server is one of these. Messages (the data plane)
 * never are.
 */
import { z } from 'zod';

const transport = z.enum(['polling', 'websocket']);
const side = z.enum(['client', 'server']);

/** Fields every event carries, stamped by the log when it is appended. */
const stamp = {
  seq: z.number().int().nonnegative(),
  ts: z.number(),
  node: z.string(),
};

export const serverStart = z.object({
  ...stamp,
  type: z.literal('server.start'),
  path: z.string(),
  settings: z.record(z.string(), z.unknown()),
});

export const serverClose = z.object({ ...stamp, type: z.literal('server.close') });

/** An Engine.IO session was opened by a successful handshake. */
export const connOpen = z.object({
  ...stamp,
  type: z.literal('conn.open'),
  sid: z.string(),
  protocol: z.union([z.literal(3), z.literal(4)]),
  transport,
  remoteAddress: z.string(),
  pingInterval: z.number(),
  pingTimeout: z.number(),
  upgradeTimeout: z.number(),
  maxPayload: z.number(),
  upgrades: z.array(z.string()),
});

/** A heartbeat step: v4 servers send pings and receive pongs, v3 the reverse. */
export const connHeartbeat = z.object({
  ...stamp,
  type: z.literal('conn.heartbeat'),
  sid: z.string(),
  step: z.enum(['ping-sent', 'pong-received', 'ping-received', 'pong-sent']),
});

/** One step of a transport upgrade (polling → websocket). */
export const connUpgrade = z.object({
  ...stamp,
  type: z.literal('conn.upgrade'),
  sid: z.string(),
  step: z.enum(['probe', 'upgraded', 'failed']),
  to: transport,
  reason: z.string().optional(),
});

/** A transport-level failure: a bad polling request, a broken WebSocket, a size limit hit. */
export const connError = z.object({
  ...stamp,
  type: z.literal('conn.error'),
  sid: z.string(),
  transport,
  message: z.string(),
  size: z.number().optional(),
  limit: z.number().optional(),
});

/** The session reached `closed`: exactly one per `conn.open`. */
export const connClose = z.object({
  ...stamp,
  type: z.literal('conn.close'),
  sid: z.string(),
  /** The engine.io reason string given to the `close` event, e.g. "ping timeout". */
  reason: z.string(),
  description: z.string().optional(),
  initiator: side,
  transport,
  wsCode: z.number().optional(),
  wsReason: z.string().optional(),
  lastPingAt: z.number().optional(),
  lastPongAt: z.number().optional(),
});

export const nspCreate = z.object({
  ...stamp,
  type: z.literal('nsp.create'),
  nsp: z.string(),
  /** Name or source of the dynamic parent namespace (RegExp or function) that created it. */
  parent: z.string().optional(),
  /** The session whose namespace connect created it (a dynamic namespace). */
  sid: z.string().optional(),
});

/** A dynamic parent's child namespace was freed: its last socket left, under `cleanupEmptyChildNamespaces`. */
export const nspDelete = z.object({
  ...stamp,
  type: z.literal('nsp.delete'),
  nsp: z.string(),
});

/** A Socket.IO socket joined a namespace (middleware passed). */
export const socketConnect = z.object({
  ...stamp,
  type: z.literal('socket.connect'),
  sid: z.string(),
  socketId: z.string(),
  nsp: z.string(),
  protocol: z.union([z.literal(4), z.literal(5)]),
  /** Who the socket was, in the application's words: what `eventLog.label` returned (connection-label.ts), at most MAX_LABEL characters. */
  label: z.string().optional(),
  /** How long its namespace's middlewares took, from its CONNECT to their answer (ms, to the µs). */
  middlewareMs: z.number().nonnegative().optional(),
  /** It is the socket of an earlier connection, recovered (connectionStateRecovery): one life with a gap. */
  recovered: z.literal(true).optional(),
});

/** Why a 4.x client that asked to recover its socket (connectionStateRecovery) got a new one. */
export const recoveryFailure = z.enum([
  'unknown session',
  'session ended',
  'still connected',
  'window expired',
  'buffer bound reached',
  'unknown offset',
  'refused by a middleware',
  'another namespace',
  'node holding the state lost',
]);

/**
 * A client came back with the pid and offset of an earlier socket
 * (connectionStateRecovery): recovered, with what was replayed and how long
 * it was away, or not, with the reason.
 */
export const socketRecovery = z.object({
  ...stamp,
  type: z.literal('socket.recovery'),
  /** The engine session it came back on. */
  sid: z.string(),
  nsp: z.string(),
  /** The socket it asked to be again, when the session is known. */
  socketId: z.string().optional(),
  recovered: z.boolean(),
  /** Recovered: how many missed packets were replayed, and how long it was away. */
  packets: z.number().int().nonnegative().optional(),
  awayMs: z.number().nonnegative().optional(),
  /** Not recovered: why. */
  reason: recoveryFailure.optional(),
  /** Window expired: by how many ms. */
  expiredByMs: z.number().nonnegative().optional(),
  /** The evidence: the bound reached, the middleware's message, the namespace or node it belongs to… */
  detail: z.string().optional(),
});

/** A namespace connection was refused: unknown namespace or a middleware error. */
export const socketRefused = z.object({
  ...stamp,
  type: z.literal('socket.refused'),
  sid: z.string(),
  nsp: z.string(),
  message: z.string(),
  /** The middleware error's `data`: only when the application opts in (`eventLog.sensitive.refusalData`), as it may hold a token. */
  data: z.unknown().optional(),
  /** How long the middlewares took to refuse it (or the connect timeout), when it went through them (ms). */
  middlewareMs: z.number().nonnegative().optional(),
});

export const roomJoin = z.object({
  ...stamp,
  type: z.literal('room.join'),
  socketId: z.string(),
  nsp: z.string(),
  room: z.string(),
});

export const roomLeave = z.object({
  ...stamp,
  type: z.literal('room.leave'),
  socketId: z.string(),
  nsp: z.string(),
  room: z.string(),
});

/** The socket left its namespace; it is in no room afterwards. */
export const socketDisconnect = z.object({
  ...stamp,
  type: z.literal('socket.disconnect'),
  socketId: z.string(),
  nsp: z.string(),
  /** The exact reason given to the socket's `disconnect` event. */
  reason: z.string(),
  initiator: z.enum(['client', 'server', 'application']),
  /** The engine session it ran on, to join it with that session's evidence. */
  sid: z.string().optional(),
  /**
   * The rooms it was in when it began disconnecting, before leaving them all:
   * replay and the inspector show them. Without it they show the rooms left
   * after the leaves recorded so far.
   */
  rooms: z.array(z.string()).optional(),
});

/** A handler or middleware of the application threw; the server carried on. */
export const appError = z.object({
  ...stamp,
  type: z.literal('app.error'),
  socketId: z.string().optional(),
  nsp: z.string().optional(),
  message: z.string(),
  /** The error's type, e.g. `TypeError` (the type of the value thrown when it is not an Error). */
  errorType: z.string().optional(),
  /** Only when the application opts in (`eventLog.sensitive.errorStacks`). */
  stack: z.string().optional(),
});

/**
 * The sockets of another node of a cluster were dropped from the
 * projections, for `reason`: without one (and in logs written before it
 * existed), the node stopped renewing its liveness key (it crashed, or was
 * cut off); `left`, it said it left the cluster (`cluster.leave`); `this node
 * left`, the recording node left that node's cluster. Only without a reason
 * were its connections lost: after a leave they went on, out of sight.
 */
export const nodeDown = z.object({
  ...stamp,
  type: z.literal('node.down'),
  down: z.string(),
  reason: z.enum(['left', 'this node left']).optional(),
});

/**
 * This node left the cluster of Redis key `cluster` (`io.adapter(X)` named
 * another cluster, or turned the shared log on or off): its last event in
 * that cluster's stream. Its connections go on; the nodes that read it drop
 * them from their listings (a `node.down` with reason `left`).
 */
export const clusterLeave = z.object({
  ...stamp,
  type: z.literal('cluster.leave'),
  cluster: z.string(),
});

/** A sink could not write these records (a full disk); recorded once it writes again. */
export const logDropped = z.object({
  ...stamp,
  type: z.literal('log.dropped'),
  /** Which sink lost them, e.g. `file`. */
  sink: z.string(),
  count: z.number().int().positive(),
  firstSeq: z.number().int().nonnegative(),
  lastSeq: z.number().int().nonnegative(),
  /** The first failure, e.g. `ENOSPC: no space left on device, write`. */
  reason: z.string(),
});

/** Records of one connection held back because it went over its share of the log (connection-share.ts). */
export const logSuppressed = z.object({
  ...stamp,
  type: z.literal('log.suppressed'),
  sid: z.string(),
  count: z.number().int().positive(),
  /** How many of each type. */
  types: z.record(z.string(), z.number().int().positive()),
  /** When the first and the last of them happened. */
  from: z.number(),
  to: z.number(),
});

export const logEvent = z.discriminatedUnion('type', [
  serverStart,
  serverClose,
  connOpen,
  connHeartbeat,
  connUpgrade,
  connError,
  connClose,
  nspCreate,
  nspDelete,
  socketConnect,
  socketRefused,
  socketRecovery,
  roomJoin,
  roomLeave,
  socketDisconnect,
  appError,
  nodeDown,
  clusterLeave,
  logDropped,
  logSuppressed,
]);

export type LogEvent = z.infer<typeof logEvent>;
export type LogEventType = LogEvent['type'];
/** The event of one type, e.g. `LogEventOf<'conn.close'>`. */
export type LogEventOf<T extends LogEventType> = Extract<LogEvent, { type: T }>;

/** What a producer hands to the log: the stamp is added on append. */
export type LogEventInput = LogEvent extends infer E ? (E extends LogEvent ? Omit<E, 'seq' | 'ts' | 'node'> : never) : never;

/** Where lifecycle producers (engine, sockets, namespaces) send their events. */
export interface Recorder {
  record(event: LogEventInput): void;
}

/** The recorder used when logging is off: it costs one call and nothing else. */
export const silentRecorder: Recorder = { record() {} };
