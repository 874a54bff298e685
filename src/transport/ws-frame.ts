/**
 * The server's WebSocket data frames (final, unmasked, uncompressed), built
 * here rather than by `ws.send` so that a small frame is one buffer: header
 * and payload leave in one `write` instead of a `writev` of two, and a batch
 * of them is one iovec each. Above MERGE_LIMIT the payload is not copied;
 * the frame is then the header and the payload, as ws's Sender.frame makes it.
 */

/** Payloads up to this many bytes are copied behind their header (the copy costs less than another iovec). */
const MERGE_LIMIT = 4096;

const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const FIN = 0x80;

export interface WsFrame {
  /** What to write, in order: one buffer, or the header then the payload. */
  buffers: Buffer[];
  /** The payload's size in bytes (what permessage-deflate's threshold compares). */
  payloadBytes: number;
}

export function wsFrame(payload: string | Buffer, binary: boolean): WsFrame {
  const payloadBytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const headerBytes = payloadBytes < 126 ? 2 : payloadBytes < 65536 ? 4 : 10;
  const opcode = binary ? OPCODE_BINARY : OPCODE_TEXT;
  if (payloadBytes > MERGE_LIMIT) {
    const header = writeHeader(Buffer.allocUnsafe(headerBytes), opcode, payloadBytes);
    return { buffers: [header, typeof payload === 'string' ? Buffer.from(payload) : payload], payloadBytes };
  }
  const frame = writeHeader(Buffer.allocUnsafe(headerBytes + payloadBytes), opcode, payloadBytes);
  if (typeof payload === 'string') frame.write(payload, headerBytes, 'utf8');
  else payload.copy(frame, headerBytes);
  return { buffers: [frame], payloadBytes };
}

function writeHeader(target: Buffer, opcode: number, length: number): Buffer {
  target[0] = FIN | opcode;
  if (length < 126) {
    target[1] = length;
  } else if (length < 65536) {
    target[1] = 126;
    target.writeUInt16BE(length, 2);
  } else {
    target[1] = 127;
    target.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    target.writeUInt32BE(length >>> 0, 6);
  }
  return target;
}
