/**
 * Answers a request another node (iostate or socket.io 4) published on the
 * namespace's request channel, acting on this node's own sockets. Returns
 * the response body to publish, or undefined when there is nothing to say
 * (not our socket, a request that expects no answer, an unknown type).
 */
import type { AdapterNamespace } from '../adapter-contract';
import type { Adapter } from '../memory-adapter';
import { PacketType } from '../../parser/packet';
import { describeSocket, localRooms, localSocket, localSockets, type Selection } from './local-sockets';
import type { RemoteAcks } from './remote-acks';
import { RequestType, isRecord, stringList } from './wire';

export interface Answer {
  body: Record<string, unknown>;
  /** msgpack instead of JSON (broadcast acks may carry binary). */
  binary?: boolean;
}

/** Publishes an answer that comes later (the acks of a broadcast). */
export type Reply = (answer: Answer) => void;

export function answerRequest(adapter: Adapter, nsp: AdapterNamespace, request: Record<string, unknown>, reply: Reply, acks: RemoteAcks): void {
  const requestId = request.requestId;
  const answer = (body: Record<string, unknown>) => reply({ body: { requestId, ...body } });
  switch (request.type) {
    case RequestType.SOCKETS:
      answer({ sockets: localSockets(adapter, nsp, { rooms: stringList(request.rooms) }).map((socket) => socket.id) });
      return;
    case RequestType.ALL_ROOMS:
      answer({ rooms: localRooms(nsp) });
      return;
    case RequestType.REMOTE_JOIN:
    case RequestType.REMOTE_LEAVE: {
      const join = request.type === RequestType.REMOTE_JOIN;
      if (isRecord(request.opts)) {
        const rooms = stringList(request.rooms);
        for (const socket of localSockets(adapter, nsp, selection(request.opts))) {
          if (join) socket.join(rooms);
          else for (const room of rooms) socket.leave(room);
        }
        return;
      }
      const socket = localSocket(nsp, String(request.sid));
      if (!socket || typeof request.room !== 'string') return;
      if (join) socket.join(request.room);
      else socket.leave(request.room);
      answer({});
      return;
    }
    case RequestType.REMOTE_DISCONNECT: {
      const close = request.close === true;
      if (isRecord(request.opts)) {
        for (const socket of localSockets(adapter, nsp, selection(request.opts))) socket.disconnect(close);
        return;
      }
      const socket = localSocket(nsp, String(request.sid));
      if (!socket) return;
      socket.disconnect(close);
      answer({});
      return;
    }
    case RequestType.REMOTE_FETCH:
      answer({ sockets: localSockets(adapter, nsp, selection(request.opts)).map((socket) => describeSocket(nsp, socket)) });
      return;
    case RequestType.BROADCAST:
      broadcastWithAck(adapter, nsp, request, reply, acks);
      return;
    case RequestType.SERVER_SIDE_EMIT:
      receiveServerSideEmit(nsp, request, reply);
      return;
    default:
      // Unknown types are ignored.
      return;
  }
}

/**
 * socket.io 4's `io.timeout(ms).emit(event, ..., callback)`: deliver here,
 * report the count, then each ack that comes before the request's timeout
 * (`opts.flags.timeout`). Refused whole when this node already waits for
 * `maxPendingAcks` acks (see remote-acks.ts).
 */
function broadcastWithAck(adapter: Adapter, nsp: AdapterNamespace, request: Record<string, unknown>, reply: Reply, acks: RemoteAcks): void {
  const packet = request.packet;
  if (!isRecord(packet) || !Array.isArray(packet.data) || typeof packet.data[0] !== 'string') return;
  if (packet.type !== PacketType.EVENT && packet.type !== PacketType.BINARY_EVENT) return;
  const [event, ...args] = packet.data as [string, ...unknown[]];
  const recipients = localSockets(adapter, nsp, selection(request.opts));
  const wait = recipients.length > 0 ? acks.wait(recipients.length, timeoutOf(request.opts)) : undefined;
  if (recipients.length > 0 && !wait) return;
  reply({ body: { type: RequestType.BROADCAST_CLIENT_COUNT, requestId: request.requestId, clientCount: recipients.length } });
  for (const socket of recipients) {
    const forget = socket.emitExpectingAck(event, args, (arg: unknown) => {
      if (wait!.answered()) reply({ body: { type: RequestType.BROADCAST_ACK, requestId: request.requestId, packet: arg }, binary: true });
    });
    wait!.track(forget);
  }
}

/** Names no node may make another node's listeners hear: the library's own events. */
const RESERVED_EVENTS: ReadonlySet<string> = new Set([
  'connect',
  'connection',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
  'new_namespace',
  'error',
]);

/**
 * Another node's serverSideEmit: the namespace's listeners hear it (a
 * reserved name is dropped: a node must not fake a connection); with a
 * requestId, the first call of the ack is the answer, as in socket.io 4.
 */
function receiveServerSideEmit(nsp: AdapterNamespace, request: Record<string, unknown>, reply: Reply): void {
  const data = request.data;
  if (!Array.isArray(data) || typeof data[0] !== 'string' || RESERVED_EVENTS.has(data[0]) || !nsp.receiveServerSideEmit) return;
  const args = data.slice();
  if (request.requestId !== undefined) {
    let answered = false;
    args.push((answer: unknown) => {
      if (answered) return;
      answered = true;
      reply({ body: { type: RequestType.SERVER_SIDE_EMIT, requestId: request.requestId, data: answer } });
    });
  }
  nsp.receiveServerSideEmit(args);
}

function timeoutOf(opts: unknown): unknown {
  return isRecord(opts) && isRecord(opts.flags) ? opts.flags.timeout : undefined;
}

function selection(opts: unknown): Selection {
  if (!isRecord(opts)) return { rooms: [] };
  return { rooms: stringList(opts.rooms), except: stringList(opts.except) };
}
