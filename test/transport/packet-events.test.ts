/**
 * The engine socket's packet events, in engine.io 3's shapes: `packetCreate`
 * for each packet sent (broadcast parts and heartbeat answers included) with
 * `options.compress`, `flush` with the packets leaving and `drain` after them,
 * on the socket and on the server; and nothing built when nobody listens.
 */
import { afterEach, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PreparedMessage } from '../../src/transport/prepared-message';
import type { EngineSocket } from '../../src/transport/engine-socket';
import type { PacketEvent } from '../../src/transport/packet-events';
import { handshake, request, startEngine, until, type TestEngine } from './helpers';

let env: TestEngine | undefined;
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await env?.close();
  env = undefined;
});

async function wsSession(query: string): Promise<{ socket: EngineSocket; ws: WebSocket; frames: string[] }> {
  env ??= await startEngine();
  const accepted = env.nextConnection();
  const ws = new WebSocket(`ws://127.0.0.1:${env.port}/engine.io/?${query}`);
  sockets.push(ws);
  const frames: string[] = [];
  ws.on('message', (data: Buffer, isBinary: boolean) => frames.push(isBinary ? `<binary ${data.length}>` : data.toString()));
  const socket = await accepted;
  await until(() => frames.length === 1);
  frames.shift(); // the open packet
  return { socket, ws, frames };
}

function collect(socket: EngineSocket, event: 'packetCreate'): PacketEvent[];
function collect(socket: EngineSocket, event: 'flush'): PacketEvent[][];
function collect(socket: EngineSocket, event: string): unknown[] {
  const seen: unknown[] = [];
  socket.on(event, (value: unknown) => seen.push(value));
  return seen;
}

it('a broadcast reports each of its packets to packetCreate and flush, with the compress flag it was sent with', async () => {
  const { socket, frames } = await wsSession('EIO=4&transport=websocket');
  const created = collect(socket, 'packetCreate');
  const flushed = collect(socket, 'flush');
  const serverFlushes: Array<[EngineSocket, PacketEvent[]]> = [];
  const serverDrains: EngineSocket[] = [];
  env!.engine.on('flush', (who: EngineSocket, packets: PacketEvent[]) => serverFlushes.push([who, packets]));
  env!.engine.on('drain', (who: EngineSocket) => serverDrains.push(who));
  const binary = Buffer.from([1, 2, 3]);
  socket.sendPrepared(new PreparedMessage(['451-["news",{"_placeholder":true,"num":0}]', binary]));
  socket.sendPrepared(new PreparedMessage(['42["quiet"]']), { compress: false });
  socket.send('42["plain"]');
  const expected: PacketEvent[] = [
    { type: 'message', data: '451-["news",{"_placeholder":true,"num":0}]', options: { compress: true } },
    { type: 'message', data: binary, options: { compress: true } },
    { type: 'message', data: '42["quiet"]', options: { compress: false } },
    { type: 'message', data: '42["plain"]', options: { compress: true } },
  ];
  expect(created).toEqual(expected);
  await until(() => frames.length === 4);
  expect(flushed).toEqual([expected]);
  expect(serverFlushes).toEqual([[socket, expected]]);
  expect(serverDrains).toEqual([socket]);
});

it('nothing is built for packetCreate or flush when nobody listens', async () => {
  const { socket, frames } = await wsSession('EIO=4&transport=websocket');
  const message = new PreparedMessage(['42["news"]']);
  message.wsFrames(4, true); // the frames a broadcast builds once, before this recipient
  let partsRead = 0;
  const parts = message.parts;
  Object.defineProperty(message, 'parts', { get: () => (partsRead++, parts) });
  socket.sendPrepared(message);
  await until(() => frames.length === 1);
  expect(frames).toEqual(['442["news"]']);
  expect(partsRead).toBe(0);
});

it('the pong answering a v3 ping is a created packet without data, and the ping a received one', async () => {
  const { socket, ws, frames } = await wsSession('EIO=3&transport=websocket');
  const created = collect(socket, 'packetCreate');
  const received: unknown[] = [];
  socket.on('packet', (packet: unknown) => received.push(packet));
  const heartbeat = new Promise((resolve) => socket.once('heartbeat', resolve));
  ws.send('2');
  await heartbeat;
  await until(() => frames.includes('3'));
  expect(created).toEqual([{ type: 'pong', options: { compress: true } }]);
  expect(received).toEqual([{ type: 'ping' }]);
});

it('packets still buffered when the server closes are flushed, before the close', async () => {
  const { socket, frames } = await wsSession('EIO=4&transport=websocket');
  const flushed = collect(socket, 'flush');
  socket.send('42["bye"]');
  socket.close();
  await until(() => socket.state === 'closed');
  expect(flushed).toEqual([[{ type: 'message', data: '42["bye"]', options: { compress: true } }]]);
  expect(frames).toEqual(['442["bye"]']);

  const accepted = env!.nextConnection();
  const { sid } = await handshake(env!.port, 'EIO=4&transport=polling');
  const polling = await accepted;
  const pollingFlushed = collect(polling, 'flush');
  const drains: number[] = [];
  polling.on('drain', () => drains.push(pollingFlushed.length));
  polling.send('42["bye"]');
  polling.close();
  const flushedPoll = await request(env!.port, 'GET', `/engine.io/?EIO=4&transport=polling&sid=${sid}`);
  expect(flushedPoll.text).toBe('442["bye"]');
  // The close packet on the poll after, as engine.io sends it.
  const last = await request(env!.port, 'GET', `/engine.io/?EIO=4&transport=polling&sid=${sid}`);
  expect(last.text).toBe('1');
  expect(pollingFlushed).toEqual([[{ type: 'message', data: '42["bye"]', options: { compress: true } }]]);
  expect(drains).toEqual([1]);
});
