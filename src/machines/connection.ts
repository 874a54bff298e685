/**
 * The lifecycle of one Engine.IO session, as a pure xstate v5 machine.
 *
 * No I/O and no clock: every event carries the time it happened (`at`), and
 * every effect is a named action the runtime (src/transport/engine-socket.ts)
 * performs: arming timers, writing heartbeat packets, switching transports,
 * appending to the event log. Messages never pass through here; only the
 * rare lifecycle events do.
 *
 *   handshaking ──OPENED──▶ open.polling ──UPGRADE_START──▶ open.upgrading ──UPGRADE──▶ open.websocket
 *                     └───▶ open.websocket      ▲ UPGRADE_TIMEOUT / UPGRADE_FAILED ┘
 *   open.* ──CLOSE──▶ closing ──TRANSPORT_CLOSED / CLOSE_TIMEOUT──▶ closed
 *   open.* ──TRANSPORT_CLOSE / TRANSPORT_ERROR / PARSE_ERROR / ping timeout──▶ closed
 *
 * Bounds (so no session is ever stuck): handshaking by the heartbeat timer
 * (pingTimeout), open.* by the heartbeat (v4: a pong within pingTimeout of
 * each ping; v3: a client packet within pingInterval + pingTimeout),
 * open.upgrading additionally by upgradeTimeout, closing by closeTimeout.
 */
import { assign, setup } from 'xstate';
import { effect } from './effects';
import type { LogEventInput } from '../log/events';

type ConnectionEventType = 'conn.open' | 'conn.heartbeat' | 'conn.upgrade' | 'conn.error' | 'conn.close';
type WithoutSessionFacts<T> = T extends unknown ? Omit<T, 'sid' | 'remoteAddress'> : never;
/**
 * A record of this session, less the facts of the one session (its id and
 * remote address) that the runtime stamps on it: so the machine's steps
 * depend on settings only, and sessions alike share them (see MachineHost).
 */
export type ConnectionRecord = WithoutSessionFacts<Extract<LogEventInput, { type: ConnectionEventType }>>;

export type TransportName = 'polling' | 'websocket';
export type Side = 'client' | 'server';

/** Why and how a session ended: what the `close` event and `conn.close` carry. */
export interface SessionEnd {
  reason: string;
  initiator: Side;
  description?: string;
  wsCode?: number;
  wsReason?: string;
  size?: number;
  limit?: number;
}

/**
 * The settings a session runs under. The session id is not among them: the
 * runtime stamps it on every record, so that sessions with the same settings
 * share one initial step (see MachineHost).
 */
export interface ConnectionInput {
  protocol: 3 | 4;
  transport: TransportName;
  pingInterval: number;
  pingTimeout: number;
  upgradeTimeout: number;
  /** How long a server-initiated close may wait for the transport to flush. */
  closeTimeout: number;
  /** The upgrades the handshake offers, and the payload limit it announces. */
  upgrades: readonly string[];
  maxPayload: number;
}

export interface ConnectionContext extends ConnectionInput {
  /** v4: a ping was sent and its pong has not come back yet. */
  awaitingPong: boolean;
  /** v4: when the server last sent a ping; v3: when the client's last ping arrived. */
  lastPingAt?: number;
  /** v4: when the client's last pong arrived; v3: when the server last answered a ping. */
  lastPongAt?: number;
  /** Set on the transition that ends the session (or starts closing it). */
  end?: SessionEnd;
}

interface TransportFailure {
  message: string;
  initiator?: Side;
  wsCode?: number;
  wsReason?: string;
  size?: number;
  limit?: number;
}

export type ConnectionEvent =
  | { type: 'OPENED' }
  | { type: 'HEARTBEAT_DUE'; at: number }
  | { type: 'PING'; at: number }
  | { type: 'PONG'; at: number }
  | { type: 'UPGRADE_START'; at: number }
  | { type: 'PROBE'; at: number }
  | { type: 'UPGRADE'; at: number }
  | { type: 'UPGRADE_FAILED'; at: number; reason: string }
  | { type: 'UPGRADE_TIMEOUT'; at: number }
  | { type: 'TRANSPORT_CLOSE'; at: number; wsCode?: number; wsReason?: string; description?: string }
  | ({ type: 'TRANSPORT_ERROR'; at: number } & TransportFailure)
  | { type: 'PARSE_ERROR'; at: number; message: string }
  | { type: 'CLOSE'; at: number; discard?: boolean; reason?: 'forced close' | 'server shutting down' }
  | { type: 'TRANSPORT_CLOSED'; at: number; wsCode?: number; wsReason?: string }
  | { type: 'CLOSE_TIMEOUT'; at: number };

/** How a session ended, with the facts the `close` event gives. */
export type SessionClosed = SessionEnd & { transport: TransportName; lastPingAt?: number; lastPongAt?: number };

export const connectionMachine = setup({
  types: {
    context: {} as ConnectionContext,
    input: {} as ConnectionInput,
    events: {} as ConnectionEvent,
  },
  // Effects only (see effects.ts); the machine remembers why the session ends with inline assigns of `end`.
  actions: {
    armHeartbeat: effect<{ ms: number }>(),
    armUpgradeTimer: effect<{ ms: number }>(),
    armCloseTimer: effect<{ ms: number }>(),
    clearUpgradeTimer: effect(),
    clearTimers: effect(),
    sendPing: effect(),
    sendPong: effect(),
    answerProbe: effect(),
    completeUpgrade: effect(),
    abortUpgrade: effect<{ reason: string }>(),
    closeTransport: effect<{ discard: boolean }>(),
    finish: effect<SessionClosed>(),
    record: effect<ConnectionRecord>(),
  },
  guards: {
    isV4: ({ context }) => context.protocol === 4,
    isV3: ({ context }) => context.protocol === 3,
    canPing: ({ context }) => context.protocol === 4 && !context.awaitingPong,
    pongExpected: ({ context }) => context.protocol === 4 && context.awaitingPong,
    viaWebSocket: ({ context }) => context.transport === 'websocket',
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({ ...input, awaitingPong: false }),
  initial: 'handshaking',
  states: {
    handshaking: {
      // The open packet is written in the same tick the session is created;
      // the timer only guards against a runtime that never confirms it.
      entry: { type: 'armHeartbeat', params: ({ context }) => ({ ms: context.pingTimeout }) },
      on: {
        OPENED: [
          { guard: 'viaWebSocket', target: 'open.websocket', actions: opened() },
          { target: 'open.polling', actions: opened() },
        ],
        HEARTBEAT_DUE: {
          target: 'closed',
          actions: assign({ end: { reason: 'transport error', initiator: 'server', description: 'handshake not completed' } }),
        },
        CLOSE: { target: 'closed', actions: assign({ end: { reason: 'forced close', initiator: 'server' } }) },
        TRANSPORT_CLOSE: { target: 'closed', actions: assign({ end: { reason: 'transport close', initiator: 'client' } }) },
        TRANSPORT_ERROR: {
          target: 'closed',
          actions: assign({ end: ({ event }) => ({ reason: 'transport error', initiator: 'client', description: event.message }) }),
        },
      },
    },
    open: {
      initial: 'polling',
      on: {
        HEARTBEAT_DUE: [
          {
            guard: 'canPing',
            actions: [
              assign({ awaitingPong: true, lastPingAt: ({ event }) => event.at }),
              'sendPing',
              { type: 'armHeartbeat', params: ({ context }) => ({ ms: context.pingTimeout }) },
              { type: 'record', params: { type: 'conn.heartbeat', step: 'ping-sent' } },
            ],
          },
          {
            target: 'closed',
            actions: assign({
              end: ({ context }) => ({
                reason: 'ping timeout',
                initiator: 'server',
                description:
                  context.protocol === 4
                    ? `no pong within ${context.pingTimeout} ms of the last ping`
                    : `no packet from the client within ${context.pingInterval + context.pingTimeout} ms`,
              }),
            }),
          },
        ],
        PONG: [
          {
            guard: 'pongExpected',
            actions: [
              assign({ awaitingPong: false, lastPongAt: ({ event }) => event.at }),
              { type: 'armHeartbeat', params: ({ context }) => ({ ms: context.pingInterval }) },
              { type: 'record', params: { type: 'conn.heartbeat', step: 'pong-received' } },
            ],
          },
          {
            guard: 'isV3',
            target: 'closed',
            actions: assign({ end: { reason: 'transport error', initiator: 'client', description: 'invalid heartbeat direction' } }),
          },
        ],
        PING: [
          {
            guard: 'isV3',
            actions: [
              assign({ lastPingAt: ({ event }) => event.at, lastPongAt: ({ event }) => event.at }),
              'sendPong',
              { type: 'armHeartbeat', params: ({ context }) => ({ ms: context.pingInterval + context.pingTimeout }) },
              { type: 'record', params: { type: 'conn.heartbeat', step: 'ping-received' } },
            ],
          },
          {
            target: 'closed',
            actions: assign({ end: { reason: 'transport error', initiator: 'client', description: 'invalid heartbeat direction' } }),
          },
        ],
        TRANSPORT_CLOSE: {
          target: 'closed',
          actions: assign({
            end: ({ event }) =>
              definedOnly<SessionEnd>({
                reason: 'transport close',
                initiator: 'client',
                description: event.description,
                wsCode: event.wsCode,
                wsReason: event.wsReason || undefined,
              }),
          }),
        },
        TRANSPORT_ERROR: {
          target: 'closed',
          actions: [
            assign({
              end: ({ event }) =>
                definedOnly({
                  reason: 'transport error',
                  initiator: event.initiator ?? 'client',
                  description: event.message,
                  wsCode: event.wsCode,
                  wsReason: event.wsReason || undefined,
                  size: event.size,
                  limit: event.limit,
                }),
            }),
            {
              type: 'record',
              params: ({ context, event }) => ({
                type: 'conn.error',
                transport: context.transport,
                message: event.message,
                ...(event.size !== undefined && { size: event.size }),
                ...(event.limit !== undefined && { limit: event.limit }),
              }),
            },
          ],
        },
        PARSE_ERROR: {
          target: 'closed',
          actions: [
            assign({ end: ({ event }) => ({ reason: 'parse error', initiator: 'server', description: event.message }) }),
            {
              type: 'record',
              params: ({ context, event }) => ({ type: 'conn.error', transport: context.transport, message: event.message }),
            },
          ],
        },
        CLOSE: {
          target: 'closing',
          actions: assign({ end: ({ event }) => ({ reason: event.reason ?? 'forced close', initiator: 'server' }) }),
        },
      },
      states: {
        polling: {
          on: { UPGRADE_START: 'upgrading' },
        },
        upgrading: {
          entry: { type: 'armUpgradeTimer', params: ({ context }) => ({ ms: context.upgradeTimeout }) },
          exit: 'clearUpgradeTimer',
          on: {
            PROBE: {
              actions: ['answerProbe', { type: 'record', params: { type: 'conn.upgrade', step: 'probe', to: 'websocket' } }],
            },
            UPGRADE: {
              target: 'websocket',
              actions: [
                assign({ transport: 'websocket' }),
                'completeUpgrade',
                { type: 'record', params: { type: 'conn.upgrade', step: 'upgraded', to: 'websocket' } },
              ],
            },
            UPGRADE_TIMEOUT: { target: 'polling', actions: upgradeFailed(() => 'upgrade timeout') },
            UPGRADE_FAILED: { target: 'polling', actions: upgradeFailed(({ event }) => (event as { reason: string }).reason) },
          },
        },
        websocket: {},
      },
    },
    closing: {
      entry: [
        'clearTimers',
        { type: 'armCloseTimer', params: ({ context }) => ({ ms: context.closeTimeout }) },
        { type: 'closeTransport', params: ({ event }) => ({ discard: event.type === 'CLOSE' && event.discard === true }) },
      ],
      on: {
        // An upgrade under way goes on (as in engine.io): a client that paused polling
        // for it can only be reached through the new WebSocket, which then carries the close.
        PROBE: { actions: 'answerProbe' },
        UPGRADE: {
          actions: [
            assign({ transport: 'websocket' }),
            'completeUpgrade',
            { type: 'record', params: { type: 'conn.upgrade', step: 'upgraded', to: 'websocket' } },
            { type: 'closeTransport', params: { discard: false } },
          ],
        },
        UPGRADE_FAILED: { actions: upgradeFailed(({ event }) => (event as { reason: string }).reason) },
        // Closing ends with the server's reason; a WebSocket close code seen on the way is kept as evidence.
        TRANSPORT_CLOSED: { target: 'closed', actions: assign({ end: ({ context, event }) => withWsClose(context.end!, event) }) },
        TRANSPORT_CLOSE: { target: 'closed', actions: assign({ end: ({ context, event }) => withWsClose(context.end!, event) }) },
        TRANSPORT_ERROR: { target: 'closed', actions: assign({ end: ({ context, event }) => withWsClose(context.end!, event) }) },
        CLOSE_TIMEOUT: {
          target: 'closed',
          actions: assign({ end: ({ context }) => ({ ...context.end!, description: `transport did not close within ${context.closeTimeout} ms` }) }),
        },
      },
    },
    closed: {
      type: 'final',
      entry: [
        'clearTimers',
        {
          type: 'record',
          params: ({ context }) =>
            ({
              type: 'conn.close',
              transport: context.transport,
              ...definedOnly(
                Object.assign({}, context.end!, { lastPingAt: context.lastPingAt, lastPongAt: context.lastPongAt, size: undefined, limit: undefined }),
              ),
            }) as ConnectionRecord,
        },
        {
          type: 'finish',
          params: ({ context }) =>
            definedOnly(
              Object.assign({}, context.end!, { transport: context.transport, lastPingAt: context.lastPingAt, lastPongAt: context.lastPongAt }),
            ) as SessionClosed,
        },
      ],
    },
  },
});

/** The open packet is out: record the session's settings and start the heartbeat. */
function opened() {
  return [
    {
      type: 'armHeartbeat' as const,
      params: ({ context }: { context: ConnectionContext }) => ({
        ms: context.protocol === 4 ? context.pingInterval : context.pingInterval + context.pingTimeout,
      }),
    },
    {
      type: 'record' as const,
      params: ({ context }: { context: ConnectionContext }) =>
        ({
          type: 'conn.open',
          protocol: context.protocol,
          transport: context.transport,
          pingInterval: context.pingInterval,
          pingTimeout: context.pingTimeout,
          upgradeTimeout: context.upgradeTimeout,
          maxPayload: context.maxPayload,
          upgrades: context.upgrades,
        }) as ConnectionRecord,
    },
  ];
}

function upgradeFailed(reasonOf: (args: { event: ConnectionEvent }) => string) {
  return [
    { type: 'abortUpgrade' as const, params: (args: { event: ConnectionEvent }) => ({ reason: reasonOf(args) }) },
    {
      type: 'record' as const,
      params: ({ event }: { event: ConnectionEvent }) =>
        ({ type: 'conn.upgrade', step: 'failed', to: 'websocket', reason: reasonOf({ event }) }) as ConnectionRecord,
    },
  ];
}

// Object.assign rather than `{ ...end, newKey }` here and above: V8 (Node 20)
// takes a slow path, several µs, when a leading spread is followed by new keys.
function withWsClose(end: SessionEnd, event: { wsCode?: number; wsReason?: string }): SessionEnd {
  return definedOnly(Object.assign({}, end, { wsCode: event.wsCode, wsReason: event.wsReason || undefined }));
}

function definedOnly<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = v;
  return out as T;
}
