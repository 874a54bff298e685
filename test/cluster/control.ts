/**
 * The /control namespace of the multi-process tests' nodes, the same for an
 * iostate node and a socket.io 2.5.1 node: test clients ask a node to act on
 * its own sockets and adapter and get the result in the ack. It lives in its
 * own namespace so control sockets stay out of the main one's listings.
 */
type Ack = (answer: unknown) => void;
type Done = (err?: Error | null, result?: any) => void;

/** What both servers offer, in socket.io 2's API. */
export interface ControlledServer {
  of(nsp: string): any;
}

/** Either adapter: iostate/redis's, or socket.io-redis 5's. */
interface ClusterAdapter {
  allRooms(fn: Done): void;
  remoteJoin(id: string, room: string, fn: Done): void;
  remoteLeave(id: string, room: string, fn: Done): void;
  remoteDisconnect(id: string, close: boolean, fn: Done): void;
  customRequest(data: unknown, fn: Done): void;
  customHook: (data: unknown, reply: (data: unknown) => void) => void;
}

/** `{ bytes: [...] }` stands for a Buffer, which the control socket cannot carry as such. */
function payloadOf(value: unknown): unknown {
  const bytes = (value as { bytes?: number[] } | null)?.bytes;
  return Array.isArray(bytes) ? Buffer.from(bytes) : value;
}

/** A node-style callback that acks the error's message, or the result as `shape` puts it. */
function settle(ack: Ack, shape: (result: any) => unknown = () => 'ok'): Done {
  return (err, result) => ack(err ? { error: err.message } : shape(result));
}

export function attachControl(io: ControlledServer, node: string, extra: Record<string, (...args: any[]) => void> = {}): void {
  const main = io.of('/');
  const adapterOf = (nsp = '/') => io.of(nsp).adapter as ClusterAdapter;
  // Every node answers customRequest with its name, to tell the replies apart.
  adapterOf().customHook = (data, reply) => reply(`${node} saw ${String(data)}`);
  const socketOr = (id: string, ack: Ack) => {
    const socket = main.connected[id];
    if (!socket) ack({ error: `no socket ${id} here` });
    return socket;
  };

  const commands: Record<string, (...args: any[]) => void> = {
    join(id: string, rooms: string[], ack: Ack) {
      socketOr(id, ack)?.join(rooms, () => ack('ok'));
    },
    rooms(id: string, ack: Ack) {
      const socket = socketOr(id, ack);
      if (socket) ack(Object.keys(socket.rooms).sort());
    },
    clients(room: string | null, ack: Ack) {
      (room ? main.in(room) : main).clients((err: Error | null, ids: string[]) => ack(err ? { error: err.message } : [...ids].sort()));
    },
    allRooms(ack: Ack) {
      adapterOf().allRooms(settle(ack, (rooms: string[]) => [...rooms].sort()));
    },
    /** `io.of(nsp).to(r1).to(r2).emit('news', payload)` (socket.io 2 takes one room per `to`). */
    emitTo(nsp: string, rooms: string[], payload: unknown, ack: Ack) {
      let target = io.of(nsp);
      for (const room of rooms) target = target.to(room);
      target.emit('news', payloadOf(payload));
      ack('ok');
    },
    /** The main namespace, as the processes test has always used it. */
    emit(rooms: string[], payload: unknown, ack: Ack) {
      commands.emitTo!('/', rooms, payload, ack);
    },
    broadcastFrom(id: string, payload: unknown, ack: Ack) {
      socketOr(id, ack)?.broadcast.emit('news', payloadOf(payload));
      ack('ok');
    },
    remoteJoin(id: string, room: string, ack: Ack) {
      adapterOf().remoteJoin(id, room, settle(ack));
    },
    remoteLeave(id: string, room: string, ack: Ack) {
      adapterOf().remoteLeave(id, room, settle(ack));
    },
    remoteDisconnect(id: string, close: boolean, ack: Ack) {
      adapterOf().remoteDisconnect(id, close, settle(ack));
    },
    customRequest(data: unknown, ack: Ack) {
      adapterOf().customRequest(
        data,
        settle(ack, (replies: unknown[]) => [...replies].map(String).sort()),
      );
    },
    ...extra,
  };

  // A second namespace, so that broadcasts to another namespace can be checked.
  io.of('/chat');
  io.of('/control').on('connection', (control: any) => {
    for (const [event, handler] of Object.entries(commands)) control.on(event, handler);
  });
}
