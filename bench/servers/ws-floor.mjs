// A reference floor, not a Socket.IO server: a bare `ws` server that speaks
// just the Engine.IO v4 / Socket.IO v5 frames the scenarios use, keeps rooms
// as Sets, and frames each broadcast once, writing the same bytes to every
// member's TCP socket. What iostate races towards. Opt-in: --servers ...,ws-floor.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { WebSocketServer } from 'ws';
import { listenAndAnnounce, serveControl } from './host.mjs';

const { version } = createRequire(import.meta.url)('ws/package.json');
const BINARY_BYTES = Number(process.env.BENCH_BINARY_BYTES ?? 64 * 1024);
const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;

/** One unmasked, final WebSocket frame (server to client). */
function frame(opcode, payload) {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const header = Buffer.allocUnsafe(headerLength);
  header[0] = 0x80 | opcode;
  if (length < 126) header[1] = length;
  else if (length < 65536) {
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

const binaryFrames = Buffer.concat([
  frame(OPCODE_TEXT, Buffer.from('451-["bin",{"_placeholder":true,"num":0}]')),
  frame(OPCODE_BINARY, Buffer.alloc(BINARY_BYTES, 7)),
]);
const rooms = new Map();
let sequence = 0;

function broadcast(room, bytes) {
  // The point of the floor: one framing, raw writes to the TCP socket under ws.
  for (const member of rooms.get(room) ?? []) member._socket.write(bytes);
}

function onText(ws, room, text) {
  if (text === '3') return;
  if (text.startsWith('40')) {
    ws.send(`40{"sid":"${randomBytes(15).toString('base64url')}"}`);
    if (room) (rooms.get(room) ?? rooms.set(room, new Set()).get(room)).add(ws);
    return;
  }
  if (!text.startsWith('42')) return;
  const bracket = text.indexOf('[');
  let event;
  let data;
  try {
    [event, data] = JSON.parse(text.slice(bracket));
  } catch {
    return;
  }
  if (event === 'echo' && bracket > 2) ws.send(`43${text.slice(2, bracket)}${JSON.stringify([data])}`);
  if (event === 'burst' && room) {
    for (let i = 0; i < (Number(data?.n) || 0); i += 1) {
      const bytes = data.kind === 'binary' ? binaryFrames : frame(OPCODE_TEXT, Buffer.from(`42${JSON.stringify(['m', { seq: sequence++, kind: 'tick' }])}`));
      broadcast(room, bytes);
    }
  }
}

const httpServer = createServer();
const wss = new WebSocketServer({ server: httpServer, path: '/socket.io/', perMessageDeflate: false });
wss.on('connection', (ws, request) => {
  const room = new URL(request.url, 'http://localhost').searchParams.get('room') ?? '';
  ws.send(`0${JSON.stringify({ sid: randomBytes(15).toString('base64url'), upgrades: [], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1e6 })}`);
  ws.on('message', (data, isBinary) => {
    if (!isBinary) onText(ws, room, data.toString());
  });
  ws.on('close', () => rooms.get(room)?.delete(ws));
});
serveControl();
listenAndAnnounce(httpServer, { name: 'ws floor', version });
