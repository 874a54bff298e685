/**
 * `iostate/v4`: socket.io 4.8's server API on the iostate engine
 * (`import { Server } from 'iostate/v4'`, `const { Server } = require('iostate/v4')`).
 * The same core as `iostate` (socket.io 2.x's API): one engine, one event
 * log, the inspector, replay and `iostate/redis`. See docs/api-v4.md.
 */
export { Server } from './v4/server';
export { Namespace } from './v4/namespace';
export { Socket } from './v4/socket';
export { BroadcastOperator } from './v4/broadcast-operator';
export { RemoteSocket } from './v4/remote-socket';
export type { CookieOptions } from './v4/options';
import type { ServerOptions as FaceServerOptions } from './v4/options';
import type { Socket as FaceSocket } from './v4/socket';
/** socket.io 4.8's server options, and iostate's; `S` is the socket `eventLog.label` gets (a typed Server's sockets are `Socket<…>`). */
export type ServerOptions<S = FaceSocket> = FaceServerOptions<S>;
export type { DisconnectReason, SocketReservedEventsMap, Handshake } from './v4/socket';
export type { ExtendedError, Middleware, NamespaceReservedEventsMap, ServerReservedEventsMap } from './v4/namespace';
export type { DefaultEventsMap, EventsMap, EventNames, EventParams, DecorateAcknowledgements } from './v4/typed-events';
