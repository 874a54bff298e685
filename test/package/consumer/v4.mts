// A socket.io 4 app's ES module against the packed package: `import { Server } from 'iostate/v4'`.
import { Server } from 'iostate/v4';
import { createServer } from 'node:http';
import { io as connect } from 'socket.io-client';

const httpServer = createServer();
const io = new Server(httpServer, { serveClient: false });
io.on('connection', (socket) => {
  socket.on('hello', (name: string, ack: (reply: string) => void) => ack(`hi ${name}`));
});

httpServer.listen(0, '127.0.0.1', () => {
  const { port } = httpServer.address() as { port: number };
  const client = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
  client.emit('hello', 'esm v4', async (reply: string) => {
    client.close();
    await io.close();
    console.log(JSON.stringify({ reply }));
  });
});
