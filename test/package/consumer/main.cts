// A consumer's CommonJS TypeScript, compiled under `strict` against the packed package.
import iostate = require('iostate');
import type { DisconnectReason, Server, Socket } from 'iostate';
import http = require('node:http');
import { redisAdapter } from 'iostate/redis';
import { inspectSnapshotSchema } from 'iostate/inspect';
import { parseLog } from 'iostate/log';
import { io as connect } from 'socket.io-client';

const reasons: DisconnectReason[] = [];
const httpServer = http.createServer();
const io: Server = iostate(httpServer, { serveClient: false, pingInterval: 10_000 });

io.on('connection', (socket) => {
  const typed: Socket = socket;
  // Compiled, never called: the handler's socket is a Socket, not `any`.
  const notAny = () => {
    // @ts-expect-error Socket has no such method
    socket.noSuchMethod();
  };
  void notAny;
  typed.on('disconnect', (reason, details) => reasons.push(reason) && details.initiator.length);
  typed.on('hello', (name: string, ack: (reply: string) => void) => ack(`hi ${name}`));
});

httpServer.listen(0, '127.0.0.1', () => {
  const { port } = httpServer.address() as { port: number };
  const client = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
  client.emit('hello', 'cjs', (reply: string) => {
    const snapshot = inspectSnapshotSchema.parse(io.inspect());
    const parsed = parseLog('');
    client.close();
    io.close(() => {
      console.log(JSON.stringify({ reply, sockets: snapshot.totals.sockets, adapter: typeof redisAdapter, lines: parsed.events.length, reasons }));
    });
  });
});
