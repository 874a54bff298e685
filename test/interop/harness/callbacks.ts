// Callback-style server APIs as bounded promises: a server that never calls
// back fails the test in seconds instead of hanging it.
import { withTimeout } from './clients';
import type { SocketLike } from './api';

const CALLBACK_MS = 2000;

/** `socket.join(rooms, cb)`: resolves with the callback's error argument. */
export function join(socket: SocketLike, rooms: string | string[]): Promise<unknown> {
  return withTimeout(new Promise((resolve) => socket.join(rooms, resolve)), CALLBACK_MS, `join(${JSON.stringify(rooms)}) did not call back`);
}

/** `socket.leave(room, cb)`: resolves with the callback's error argument. */
export function leave(socket: SocketLike, room: string): Promise<unknown> {
  return withTimeout(new Promise((resolve) => socket.leave(room, resolve)), CALLBACK_MS, `leave(${room}) did not call back`);
}

/** `clients(cb)` on a namespace, the server, or after in/to: the ids, sorted. */
export function clientsOf(target: { clients(cb: (err: Error | null, ids: string[]) => void): unknown }): Promise<string[]> {
  const listed = new Promise<string[]>((resolve, reject) => target.clients((err, ids) => (err ? reject(err) : resolve([...ids].sort()))));
  return withTimeout(listed, CALLBACK_MS, 'clients(cb) did not call back');
}

/** `socket.emit(event, ...args, ack)`: resolves with the client's answer. */
export function emitWithAck(socket: SocketLike, event: string, ...args: unknown[]): Promise<any[]> {
  const answered = new Promise<any[]>((resolve) => socket.emit(event, ...args, (...answer: unknown[]) => resolve(answer)));
  return withTimeout(answered, CALLBACK_MS, `no ack from the client for "${event}"`);
}
