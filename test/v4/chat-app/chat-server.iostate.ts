// A chat server written for socket.io 4 (the idea of socket.io's chat example, in our own words):
// users log in with a name, talk, see who types, who joined and who left. It uses typed events,
// acks with a timeout and fetchSockets. chat-server.iostate.ts is chat-server.socket-io.ts with its import changed.
import type { Server as HttpServer } from 'node:http';
import { Server } from '../../../src/v4';

export interface ClientToServerEvents {
  'add user': (username: string, ack: (reply: { ok: boolean; numUsers: number }) => void) => void;
  'new message': (text: string, ack: (reply: { delivered: number }) => void) => void;
  typing: () => void;
  'stop typing': () => void;
  who: (ack: (names: string[]) => void) => void;
  poll: (ack: (reply: { answered: number; error: string | null }) => void) => void;
}

export interface ServerToClientEvents {
  login: (info: { numUsers: number }) => void;
  'new message': (message: { username: string; text: string }) => void;
  'user joined': (info: { username: string; numUsers: number }) => void;
  'user left': (info: { username: string; numUsers: number }) => void;
  typing: (info: { username: string }) => void;
  'stop typing': (info: { username: string }) => void;
  'are you there': (ack: (answer: string) => void) => void;
}

export interface InterServerEvents {
  announce: (text: string) => void;
}

export interface SocketData {
  username?: string;
}

export function startChat(httpServer: HttpServer, log: string[]): Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData> {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(httpServer);
  let numUsers = 0;

  io.on('connection', (socket) => {
    socket.on('add user', (username, ack) => {
      if (socket.data.username) return ack({ ok: false, numUsers });
      socket.data.username = username;
      socket.join('chatters');
      numUsers++;
      log.push(`${username} logged in`);
      socket.emit('login', { numUsers });
      socket.to('chatters').emit('user joined', { username, numUsers });
      ack({ ok: true, numUsers });
    });

    socket.on('new message', async (text, ack) => {
      if (!socket.data.username) return;
      socket.broadcast.emit('new message', { username: socket.data.username, text });
      const readers = await io.in('chatters').except(socket.id).fetchSockets();
      ack({ delivered: readers.length });
    });

    socket.on('typing', () => {
      if (socket.data.username) socket.broadcast.emit('typing', { username: socket.data.username });
    });

    socket.on('stop typing', () => {
      if (socket.data.username) socket.broadcast.emit('stop typing', { username: socket.data.username });
    });

    socket.on('who', async (ack) => {
      const sockets = await io.fetchSockets();
      ack(sockets.map((each) => each.data.username ?? '(anonymous)').sort());
    });

    socket.on('poll', async (ack) => {
      try {
        const answers = await io.to('chatters').timeout(400).emitWithAck('are you there');
        ack({ answered: answers.length, error: null });
      } catch (err) {
        ack({ answered: -1, error: (err as Error).message });
      }
    });

    socket.on('disconnect', (reason) => {
      const username = socket.data.username;
      if (!username) return;
      numUsers--;
      log.push(`${username} left (${reason})`);
      socket.broadcast.emit('user left', { username, numUsers });
    });
  });

  return io;
}
