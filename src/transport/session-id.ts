/**
 * Default Engine.IO session ids: 15 random bytes (120 bits) as base64url.
 * Random bytes are drawn from the CSPRNG in blocks and sliced, which costs a
 * fraction of one `randomBytes` call per id on the connect path.
 */
import { randomBytes } from 'node:crypto';

const ID_BYTES = 15;
const BLOCK_IDS = 256;

let block = Buffer.alloc(0);
let offset = 0;

export function randomSessionId(): string {
  if (offset + ID_BYTES > block.length) {
    block = randomBytes(ID_BYTES * BLOCK_IDS);
    offset = 0;
  }
  const id = block.toString('base64url', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}
