// A socket.io 4 app's CommonJS TypeScript, compiled under `strict` against the packed package: only the import differs.
import { Server } from 'iostate/v4';
import type { Socket } from 'iostate/v4';
import http = require('node:http');
import { io as connect } from 'socket.io-client';

interface ClientToServer {
  hello: (name: string, ack: (reply: string) => void) => void;
}
interface ServerToClient {
  welcome: (text: string) => void;
}

const httpServer = http.createServer();
const io = new Server<ClientToServer, ServerToClient>(httpServer, { serveClient: false });

io.on('connection', (socket: Socket<ClientToServer, ServerToClient>) => {
  socket.on('hello', (name, ack) => ack(`hi ${name}`));
  // @ts-expect-error the server declares no such event
  socket.emit('no-such-event');
});

httpServer.listen(0, '127.0.0.1', () => {
  const { port } = httpServer.address() as { port: number };
  const client = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
  client.emit('hello', 'cjs v4', async (reply: string) => {
    const rooms = [...io.sockets.sockets.values()].map((socket) => socket.rooms.size);
    client.close();
    await io.close();
    console.log(JSON.stringify({ reply, rooms }));
  });
});
