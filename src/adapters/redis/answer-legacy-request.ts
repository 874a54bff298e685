/**
 * Answers a request that a socket.io-redis 5 node (socket.io 2), or an
 * iostate node in its dialect, published on the namespace's request channel,
 * acting on this node's own sockets. socket.io-redis 5 waits for one answer
 * per subscriber to clients, allRooms and customRequest, and for the owner's
 * answer to clientRooms and the remote operations on one socket.
 */
import type { AdapterNamespace } from '../adapter-contract';
import type { Adapter } from '../memory-adapter';
import { LegacyRequestType, legacyAnswer } from './legacy-wire';
import { localRooms, localSocket, localSockets, roomsOfSocket } from './local-sockets';
import { stringList } from './wire';

/** socket.io-redis 5's hook: what this node replies to a customRequest. */
export type CustomHook = (data: unknown, reply: (data: unknown) => void) => void;

export function answerLegacyRequest(
  adapter: Adapter,
  nsp: AdapterNamespace,
  request: Record<string, unknown>,
  customHook: CustomHook,
  reply: (body: Record<string, unknown>) => void,
): void {
  const answer = (body: Record<string, unknown> = {}) => reply(legacyAnswer(request, body));
  switch (request.type) {
    case LegacyRequestType.CLIENTS:
      answer({ clients: localSockets(adapter, nsp, { rooms: stringList(request.rooms) }).map((socket) => socket.id) });
      return;
    case LegacyRequestType.ALL_ROOMS:
      answer({ rooms: localRooms(nsp) });
      return;
    case LegacyRequestType.CUSTOM_REQUEST: {
      let answered = false;
      customHook(request.data, (data) => {
        if (answered) return;
        answered = true;
        answer({ data });
      });
      return;
    }
  }
  // The rest concern one socket: only its node answers. (An own property only: "__proto__" names no socket.)
  const socket = localSocket(nsp, String(request.sid));
  if (!socket) return;
  switch (request.type) {
    case LegacyRequestType.CLIENT_ROOMS:
      answer({ rooms: roomsOfSocket(nsp, socket.id) });
      return;
    case LegacyRequestType.REMOTE_JOIN:
    case LegacyRequestType.REMOTE_LEAVE: {
      // socket.io 2 apps may name rooms with numbers.
      const [room] = stringList([request.room]);
      if (room === undefined) return;
      if (request.type === LegacyRequestType.REMOTE_JOIN) socket.join(room, () => answer());
      else socket.leave(room, () => answer());
      return;
    }
    case LegacyRequestType.REMOTE_DISCONNECT:
      socket.disconnect(request.close === true);
      answer();
      return;
    default:
      // Unknown types are ignored, as socket.io-redis 5 does.
      return;
  }
}
