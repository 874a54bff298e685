// Compile-time checks of iostate/v4's typed events (run by typed-events.test.ts and by `npm run typecheck`):
// every `@ts-expect-error` line must fail to compile, every other line must compile.
import { Server, type Socket } from '../../src/v4';

interface ClientToServerEvents {
  chat: (text: string) => void;
  join: (room: string, ack: (members: number) => void) => void;
}
interface ServerToClientEvents {
  message: (from: string, text: string) => void;
  ping: (ack: (answer: string) => void) => void;
}
interface InterServerEvents {
  refresh: (reason: string) => void;
}
interface SocketData {
  name: string;
  age: number;
}

const io = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>();

io.on('connection', (socket) => {
  const typed: Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData> = socket;
  typed.on('chat', (text) => {
    const length: number = text.length;
    void length;
  });
  socket.on('join', (room, ack) => ack(room.length));
  socket.on('disconnect', (reason) => reason.toUpperCase());
  // @ts-expect-error the client sends no such event
  socket.on('no-such-event', () => {});
  // @ts-expect-error chat's payload is a string
  socket.on('chat', (text: number) => text);

  socket.emit('message', 'server', 'hello');
  // @ts-expect-error the server declares no such event
  socket.emit('no-such-event');
  // @ts-expect-error message takes two strings
  socket.emit('message', 'server', 42);

  socket.timeout(1000).emit('ping', (err, answer) => {
    const e: Error = err;
    const a: string = answer;
    void [e, a];
  });
  void socket
    .timeout(1000)
    .emitWithAck('ping')
    .then((answer) => answer.toUpperCase());
  // @ts-expect-error chat has no ack: it cannot be awaited
  void socket.emitWithAck('message', 'a', 'b');

  socket.data.name = 'ann';
  // @ts-expect-error age is a number
  socket.data.age = 'old';

  io.to('room').emit('message', 'server', 'to the room');
  // @ts-expect-error a broadcast is checked too
  io.to('room').emit('message', 1);
  io.timeout(1000).emit('ping', (err, answers) => {
    const e: Error = err;
    const all: string[] = answers;
    void [e, all];
  });
  void io
    .timeout(1000)
    .emitWithAck('ping')
    .then((answers) => answers.map((answer) => answer.toUpperCase()));
});

// eventLog.label gets the server's own sockets, typed with its SocketData.
void new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>({
  eventLog: {
    label: (handshake, socket) => {
      const typed: Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData> = socket;
      void typed;
      // @ts-expect-error age is a number, not a label
      const age: string = socket.data.age;
      void age;
      return `${socket.data.name}@${handshake.address}`;
    },
  },
});
