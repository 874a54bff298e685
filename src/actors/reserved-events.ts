/**
 * Event names the library emits itself (socket.io 2.x's list, plus
 * `connect_error`, which 4.x clients reserve). Emitting one of them on a
 * socket or namespace runs the local listeners, as in socket.io 2.x; it is
 * never sent to a client, and a client cannot trigger one remotely.
 */
export const RESERVED_EVENTS: ReadonlySet<string> = new Set([
  'error',
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
]);
