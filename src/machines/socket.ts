/**
 * The lifecycle of one Socket.IO socket (one namespace on one connection).
 *
 *   connecting ──MIDDLEWARE_OK──▶ connected ──DISCONNECT──▶ disconnecting ──LEFT──▶ disconnected
 *        │                                                                              ▲
 *        ├──MIDDLEWARE_ERROR / CONNECT_TIMEOUT──▶ refused                               │
 *        └──DISCONNECT (the connection closed while middleware ran) ────────────────────┘
 *
 * Pure: effects are named actions the runtime (src/actors/socket.ts) performs.
 * `connecting` is bounded by the connect timeout the runtime arms on entry;
 * `disconnecting` lasts exactly as long as the runtime takes to leave the rooms.
 */
import { assign, setup } from 'xstate';
import { effect } from './effects';

export type DisconnectInitiator = 'client' | 'server' | 'application';

export type SocketMachineEvent =
  | { type: 'MIDDLEWARE_OK' }
  | { type: 'MIDDLEWARE_ERROR'; message: string; data?: unknown }
  | { type: 'CONNECT_TIMEOUT' }
  | { type: 'DISCONNECT'; reason: string; initiator: DisconnectInitiator }
  | { type: 'LEFT' };

export interface SocketMachineContext {
  reason?: string;
  initiator?: DisconnectInitiator;
  error?: string;
}

export const socketMachine = setup({
  types: {
    context: {} as SocketMachineContext,
    events: {} as SocketMachineEvent,
  },
  // Effects only (see effects.ts); the machine's own context changes are inline assigns.
  actions: {
    armConnectTimeout: effect(),
    disarmConnectTimeout: effect(),
    announceConnect: effect(),
    announceRefusal: effect<{ message: string; data?: unknown }>(),
    beginDisconnect: effect<{ reason: string; initiator: DisconnectInitiator }>(),
    finishDisconnect: effect<{ reason: string; initiator: DisconnectInitiator }>(),
  },
}).createMachine({
  id: 'socket',
  context: {},
  initial: 'connecting',
  states: {
    connecting: {
      entry: 'armConnectTimeout',
      exit: 'disarmConnectTimeout',
      on: {
        MIDDLEWARE_OK: { target: 'connected' },
        MIDDLEWARE_ERROR: {
          target: 'refused',
          actions: [
            assign({ error: ({ event }) => event.message }),
            { type: 'announceRefusal', params: ({ event }) => ({ message: event.message, data: event.data }) },
          ],
        },
        CONNECT_TIMEOUT: {
          target: 'refused',
          actions: [assign({ error: 'connect timeout' }), { type: 'announceRefusal', params: { message: 'connect timeout' } }],
        },
        DISCONNECT: {
          target: 'disconnected',
          actions: assign({ reason: ({ event }) => event.reason, initiator: ({ event }) => event.initiator }),
        },
      },
    },
    connected: {
      entry: 'announceConnect',
      on: {
        DISCONNECT: {
          target: 'disconnecting',
          actions: [
            assign({ reason: ({ event }) => event.reason, initiator: ({ event }) => event.initiator }),
            { type: 'beginDisconnect', params: ({ event }) => ({ reason: event.reason, initiator: event.initiator }) },
          ],
        },
      },
    },
    disconnecting: {
      on: {
        LEFT: {
          target: 'disconnected',
          actions: {
            type: 'finishDisconnect',
            params: ({ context }) => ({ reason: context.reason ?? '', initiator: context.initiator ?? 'server' }),
          },
        },
      },
    },
    disconnected: { type: 'final' },
    refused: { type: 'final' },
  },
});
