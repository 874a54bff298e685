/**
 * A WebSocket client by hand, for what `ws` refuses to send: a handshake
 * with any headers, and frames with any bits (RFC 6455 §5.2).
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { PATH } from './raw';
import { until } from './server';

export interface FrameSpec {
  fin?: boolean;
  rsv?: number;
  opcode: number;
  payload?: Buffer;
  masked?: boolean;
  /** A declared payload length other than the real one (for length attacks). */
  declaredLength?: bigint;
}

export function frame({ fin = true, rsv = 0, opcode, payload = Buffer.alloc(0), masked = true, declaredLength }: FrameSpec): Buffer {
  const length = declaredLength ?? BigInt(payload.length);
  const head = [((fin ? 0x80 : 0) | (rsv << 4) | opcode) & 0xff];
  const maskBit = masked ? 0x80 : 0;
  let extended = Buffer.alloc(0);
  if (length < 126n) head.push(maskBit | Number(length));
  else if (length < 65536n) {
    head.push(maskBit | 126);
    extended = Buffer.alloc(2);
    extended.writeUInt16BE(Number(length));
  } else {
    head.push(maskBit | 127);
    extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(length);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), extended, payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
  return Buffer.concat([Buffer.from(head), extended, mask, body]);
}

export const text = (data: string) => frame({ opcode: 1, payload: Buffer.from(data) });

export interface HandRolledSocket {
  socket: net.Socket;
  /** Everything the server wrote, the HTTP response included. */
  data: () => Buffer;
  closed: () => boolean;
}

/** Sends an upgrade request with `headers` (defaults for a valid one) and the raw header lines `extra`. */
export async function handRolledUpgrade(port: number, query: string, headers: Record<string, string> = {}, extra: string[] = []): Promise<HandRolledSocket> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const chunks: Buffer[] = [];
  let closed = false;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('close', () => (closed = true));
  await new Promise((resolve) => socket.once('connect', resolve));
  const all: Record<string, string> = {
    Host: `127.0.0.1:${port}`,
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    ...headers,
  };
  const lines = [
    ...extra,
    ...Object.entries(all)
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `${k}: ${v}`),
  ];
  socket.write(`GET ${PATH}?${query} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
  return { socket, data: () => Buffer.concat(chunks), closed: () => closed };
}

/** Waits for the server's answer to the upgrade; returns its status code. */
export async function upgradeStatus(hand: HandRolledSocket, ms = 2000): Promise<number> {
  await until(() => hand.data().includes('\r\n\r\n') || hand.closed(), 'an answer to the upgrade', ms);
  const match = /^HTTP\/1\.1 (\d{3})/.exec(hand.data().toString('latin1'));
  return match ? Number(match[1]) : 0;
}
