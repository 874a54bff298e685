/**
 * The request dialect of socket.io-redis 5.x, the Redis adapter of socket.io
 * 2 clusters (facts read from its source, tag 5.4.0). Its broadcasts are the
 * same as @socket.io/redis-adapter 8's (msgpack of [uid, packet, opts] on
 * `<key>#<nsp>#[room#]`); its requests differ, on the same channels:
 *
 *   requests   `<key>-request#<nsp>#`, JSON `{ requestid, type, ... }`: no
 *              `uid`, so every node (the sender too) receives and answers it,
 *              and the sender waits for NUMSUB answers
 *   responses  `<key>-response#<nsp>#`, JSON `{ requestid, ... }`
 *
 * Its type numbers collide with 8.x's: 8.x's REMOTE_LEAVE (3) is 5.x's
 * remoteJoin, 8.x's REMOTE_DISCONNECT (4) is 5.x's remoteLeave. So a node
 * that shares Redis with socket.io-redis 5 nodes must send its requests in
 * this dialect (`compat: 'socket.io-redis-5'`); it recognises and answers
 * either dialect in any mode, by the spelling of the request id.
 */
import { RequestType, type RequestTypeValue } from './wire';

export const LegacyRequestType = {
  CLIENTS: 0,
  CLIENT_ROOMS: 1,
  ALL_ROOMS: 2,
  REMOTE_JOIN: 3,
  REMOTE_LEAVE: 4,
  CUSTOM_REQUEST: 5,
  REMOTE_DISCONNECT: 6,
} as const;

/** The value of `compat` that selects this dialect. */
export const SOCKET_IO_REDIS_5 = 'socket.io-redis-5';

/** A request for socket.io-redis 5's vocabulary only (no 8.x counterpart): its 5.x type travels as `legacyType`. */
export const LEGACY_ONLY = -1;

/** iostate's request types (8.x vocabulary) that socket.io-redis 5 has too, and its number for each. */
const TO_LEGACY: ReadonlyMap<RequestTypeValue, number> = new Map([
  [RequestType.SOCKETS, LegacyRequestType.CLIENTS],
  [RequestType.ALL_ROOMS, LegacyRequestType.ALL_ROOMS],
  [RequestType.REMOTE_JOIN, LegacyRequestType.REMOTE_JOIN],
  [RequestType.REMOTE_LEAVE, LegacyRequestType.REMOTE_LEAVE],
  [RequestType.REMOTE_DISCONNECT, LegacyRequestType.REMOTE_DISCONNECT],
]);

/** Whether socket.io-redis 5 nodes can answer a request of this type. */
export function hasLegacyForm(type: number): boolean {
  return type === LEGACY_ONLY || TO_LEGACY.has(type as RequestTypeValue);
}

/** A socket.io-redis 5 message (request or response): it spells the id `requestid`. */
export function isLegacyMessage(body: Record<string, unknown>): boolean {
  return typeof body.requestid === 'string' && body.requestId === undefined;
}

/**
 * An iostate request `{ uid, requestId, type, ... }` in socket.io-redis 5's
 * words. Only types for which hasLegacyForm() holds.
 */
export function toLegacyRequest(body: Record<string, unknown>): Record<string, unknown> {
  const type = body.type === LEGACY_ONLY ? body.legacyType : TO_LEGACY.get(body.type as RequestTypeValue);
  if (typeof type !== 'number') throw new TypeError(`request type ${String(body.type)} has no socket.io-redis 5 form`);
  const request: Record<string, unknown> = { requestid: body.requestId, type };
  for (const field of ['rooms', 'sid', 'room', 'close', 'data'] as const) if (body[field] !== undefined) request[field] = body[field];
  return request;
}

/**
 * A socket.io-redis 5 response in iostate's words: `requestId`, and the
 * socket ids of a clients answer as `sockets`. Anything else is kept.
 */
export function fromLegacyResponse(body: Record<string, unknown>): Record<string, unknown> {
  const response: Record<string, unknown> = { requestId: body.requestid };
  if (typeof body.node === 'string') response.node = body.node;
  if (body.clients !== undefined) response.sockets = body.clients;
  if (body.rooms !== undefined) response.rooms = body.rooms;
  if ('data' in body) response.data = body.data;
  return response;
}

/** The answer to a socket.io-redis 5 request, with `requestid` spelt its way. */
export function legacyAnswer(request: Record<string, unknown>, body: Record<string, unknown>): Record<string, unknown> {
  return Object.assign({ requestid: request.requestid }, body);
}
