/**
 * Unguessable ids: 15 random bytes (120 bits) as base64url, the size of
 * engine.io's and socket.io 4's ids. Used for Engine.IO session ids (a
 * secret: whoever holds one speaks for the session) and for the socket ids of
 * 4.x clients (public, and therefore drawn apart from the session id).
 * Random bytes are drawn from the CSPRNG in blocks and sliced, which costs a
 * fraction of one `randomBytes` call per id on the connect path.
 */
import { randomBytes } from 'node:crypto';

const ID_BYTES = 15;
const BLOCK_IDS = 256;

let block = Buffer.alloc(0);
let offset = 0;

export function randomId(): string {
  if (offset + ID_BYTES > block.length) {
    block = randomBytes(ID_BYTES * BLOCK_IDS);
    offset = 0;
  }
  const id = block.toString('base64url', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}
