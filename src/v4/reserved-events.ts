/**
 * The event names socket.io 4 keeps for itself: emitting one throws. Unlike
 * the 2.x face, `error` is an ordinary event name here (a 4.x client has no
 * reserved `error`), as in socket.io 4.
 */
const RESERVED_EVENTS: ReadonlySet<string> = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);

/** Throws as socket.io 4 does for a name the library keeps. */
export function checkEmittable(event: unknown): void {
  if (typeof event === 'string' && RESERVED_EVENTS.has(event)) throw new Error(`"${event}" is a reserved event name`);
}

/** The error an ack callback gets when its timeout passed first (socket.io 4's wording). */
export function timeoutError(): Error {
  return new Error('operation has timed out');
}
