// A consumer's ES module, compiled under `strict` against the packed package.
import iostate, { Server } from 'iostate';
import type { Namespace } from 'iostate';
import { createServer } from 'node:http';
import { io as connect } from 'socket.io-client';

const httpServer = createServer();
const io = new Server(httpServer, { serveClient: false });
const main: Namespace = io.of('/');
main.on('connection', (socket) => {
  socket.on('hello', (name: string, ack: (reply: string) => void) => ack(`hi ${name}`));
});

httpServer.listen(0, '127.0.0.1', () => {
  const { port } = httpServer.address() as { port: number };
  const client = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
  client.emit('hello', 'esm', (reply: string) => {
    client.close();
    io.close(() => console.log(JSON.stringify({ reply, sameServer: iostate.Server === Server })));
  });
});
