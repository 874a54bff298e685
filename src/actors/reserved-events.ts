/**
 * Event names the library emits itself (socket.io 2.x's list, plus
 * `connect_error`, which 4.x clients reserve). The application cannot emit
 * them to clients (it throws, as socket.io 4 does) and a client that sends
 * one gets an error instead of triggering the server's listeners.
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
