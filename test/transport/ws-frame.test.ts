import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as ws from 'ws';
import { wsFrame } from '../../src/transport/ws-frame';

type FrameOptions = { fin: boolean; rsv1: boolean; opcode: number; mask: boolean; readOnly: boolean };
/** ws's own frame builder, the oracle: `Sender` is a named export of ws, untyped for `frame`. */
const wsSenderFrame = (ws as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } }).Sender.frame;

function reference(payload: string | Buffer, binary: boolean): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat(wsSenderFrame(data, { fin: true, rsv1: false, opcode: binary ? 2 : 1, mask: false, readOnly: true }));
}

describe('wsFrame', () => {
  it('builds the bytes ws builds, at every header size boundary', () => {
    for (const size of [0, 1, 125, 126, 127, 4096, 4097, 65535, 65536, 70000]) {
      const text = 'é'.repeat(Math.floor(size / 2)) + 'x'.repeat(size % 2);
      const binary = Buffer.alloc(size, 7);
      expect(Buffer.concat(wsFrame(text, false).buffers)).toEqual(reference(text, false));
      expect(Buffer.concat(wsFrame(binary, true).buffers)).toEqual(reference(binary, true));
      expect(wsFrame(binary, true).payloadBytes).toBe(size);
    }
  });

  it('matches ws for any text or binary payload', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'grapheme', maxLength: 3000 }),
          fc.uint8Array({ maxLength: 70_000 }).map((bytes) => Buffer.from(bytes)),
        ),
        (payload) => {
          const binary = typeof payload !== 'string';
          expect(Buffer.concat(wsFrame(payload, binary).buffers)).toEqual(reference(payload, binary));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is one buffer up to 4 KiB of payload, header and payload (not copied) above', () => {
    expect(wsFrame('a'.repeat(4096), false).buffers).toHaveLength(1);
    const large = Buffer.alloc(5000);
    const frame = wsFrame(large, true);
    expect(frame.buffers).toHaveLength(2);
    expect(frame.buffers[1]).toBe(large);
  });
});
