/**
 * Records the real run that the log generator multiplies: a real iostate
 * server writes its event log while real clients (socket.io-client 4.x and
 * 2.x, and a raw WebSocket client that stops answering pings) connect, join
 * rooms and leave in the ways an incident shows. Run once, by hand, to
 * refresh bench/replay/recorded-run.jsonl:
 *   node --import tsx bench/replay/record-run.ts
 */
import http from 'node:http';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { io as ioV4 } from 'socket.io-client';
import ioV2 from 'socket.io-client-v2';
import { Server } from '../../src/actors/server';

const out = path.join(__dirname, 'recorded-run.jsonl');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  fs.rmSync(out, { force: true });
  const httpServer = http.createServer((_req, res) => res.writeHead(404).end());
  const io = new Server(httpServer, { pingInterval: 400, pingTimeout: 300, eventLog: { file: out, node: 'recorded' } });
  io.on('connection', (socket) => {
    socket.on('join', (room: string) => socket.join(room));
    socket.on('kick', () => socket.disconnect(true));
  });
  io.of('/chat').on('connection', (socket) => socket.join('general'));
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;

  // 4.x over polling then websocket: joins a room, lives a few heartbeats, leaves politely.
  const polite = ioV4(url, { forceNew: true });
  polite.on('connect', () => polite.emit('join', 'lobby'));
  // 4.x over websocket only, on two namespaces: the server kicks it.
  const kicked = ioV4(url, { forceNew: true, transports: ['websocket'] });
  const kickedChat = ioV4(`${url}/chat`, { forceNew: true, transports: ['websocket'] });
  // 2.x over polling then websocket: killed without a close frame.
  const legacy = ioV2(url, { forceNew: true, reconnection: false });
  legacy.on('connect', () => legacy.emit('join', 'lobby'));
  await sleep(1500);
  kicked.emit('kick');
  kickedChat.disconnect();
  polite.disconnect();
  (legacy as unknown as { io: { engine: { transport: { ws?: { _socket?: { destroy(): void } } } } } }).io.engine.transport.ws?._socket?.destroy();
  // A raw Engine.IO v4 client that joins then stops answering pings: the server times it out.
  const silent = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
  silent.on('message', (data) => {
    const packet = data.toString();
    if (packet.startsWith('0')) silent.send('40');
    if (packet.startsWith('40')) silent.send('42["join","lobby"]');
  });
  await sleep(1500);
  silent.terminate();
  kicked.close();
  await new Promise<void>((resolve) => io.close(() => resolve()));
  await io.log.close();
  console.log(`${fs.readFileSync(out, 'utf8').split('\n').length - 1} events in ${out}`);
}

void main();
