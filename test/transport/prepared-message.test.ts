/** Broadcast data plane: one PreparedMessage, many recipients, each framing built once. */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import * as v3 from '../../src/transport/codec/v3';
import * as v4 from '../../src/transport/codec/v4';
import { PreparedMessage } from '../../src/transport/prepared-message';
import type { EngineSocket } from '../../src/transport/engine-socket';
import { handshake, request, startEngine, until, type TestEngine } from './helpers';

let env: TestEngine | undefined;
const sockets: WebSocket[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const ws of sockets.splice(0)) ws.terminate();
  await env?.close();
  env = undefined;
});

async function wsSession(query: string, options: WebSocket.ClientOptions = {}): Promise<{ socket: EngineSocket; frames: Array<string | Buffer> }> {
  const accepted = env!.nextConnection();
  const ws = new WebSocket(`ws://127.0.0.1:${env!.port}/engine.io/?${query}`, options);
  sockets.push(ws);
  const frames: Array<string | Buffer> = [];
  ws.on('message', (data: Buffer, isBinary: boolean) => frames.push(isBinary ? data : data.toString()));
  const socket = await accepted;
  await until(() => frames.length === 1);
  frames.shift(); // the open packet
  return { socket, frames };
}

async function pollingSession(query: string): Promise<{ socket: EngineSocket; poll: () => Promise<{ text: string; body: Buffer }> }> {
  const accepted = env!.nextConnection();
  const { sid } = await handshake(env!.port, query);
  const socket = await accepted;
  return { socket, poll: () => request(env!.port, 'GET', `/engine.io/?${query}&sid=${sid}`) };
}

const parts = () => ['451-["news",{"_placeholder":true,"num":0}]', Buffer.from([1, 2, 3])];

describe('PreparedMessage', () => {
  it('frames each part once per framing and reuses the frames for every recipient', () => {
    const message = new PreparedMessage(parts());
    const v4 = message.wsFrames(4, true);
    expect(message.wsFrames(4, true)).toBe(v4);
    expect(v4.map((frame) => frame.data)).toEqual(['4451-["news",{"_placeholder":true,"num":0}]', Buffer.from([1, 2, 3])]);
    expect(message.wsFrames(3, true)[1].data).toEqual(Buffer.from([4, 1, 2, 3]));
    expect(message.wsFrames(3, false)[1].data).toBe('b4AQID');
    expect(message.pollingSegment(4)).toBe('4451-["news",{"_placeholder":true,"num":0}]\x1ebAQID');
    expect(message.pollingSegment(3)).toBe('43:4451-["news",{"_placeholder":true,"num":0}]6:b4AQID');
    expect(message.pollingSegment(3)).toBe(message.pollingSegment(3));
  });

  it('every framing equals encoding each part on its own, and each frame is a valid unmasked final frame', () => {
    const part = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.uint8Array({ maxLength: 70_000, size: 'small' }).map((bytes) => Buffer.from(bytes)),
    );
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 4 }), fc.constantFrom(3 as const, 4 as const), fc.boolean(), (parts, protocol, supportsBinary) => {
        const message = new PreparedMessage(parts);
        const codec = protocol === 4 ? v4 : v3;
        const packets = parts.map((data) => ({ type: 'message' as const, data }));
        const frames = message.wsFrames(protocol, supportsBinary);
        frames.forEach((frame, i) => {
          expect(frame.data).toEqual(codec.encodePacket(packets[i], supportsBinary));
          const bytes = Buffer.concat(frame.buffers);
          const payload = typeof frame.data === 'string' ? Buffer.from(frame.data) : frame.data;
          expect(bytes[0]).toBe(frame.binary ? 0x82 : 0x81);
          const short = bytes[1];
          expect(short & 0x80).toBe(0);
          const [length, offset] = short === 127 ? [Number(bytes.readBigUInt64BE(2)), 10] : short === 126 ? [bytes.readUInt16BE(2), 4] : [short, 2];
          expect(length).toBe(payload.length);
          expect(bytes.subarray(offset)).toEqual(payload);
        });
        expect(message.pollingSegment(4)).toBe(v4.encodePayload(packets));
        expect(message.pollingSegment(3)).toBe(v3.encodePayload(packets, false));
      }),
      // The three WebSocket length encodings (7-bit, 16-bit, 64-bit) always appear.
      {
        numRuns: 100,
        examples: [
          [['x'.repeat(125), 'y'.repeat(126), Buffer.alloc(70_000, 1)], 4, true],
          [[Buffer.alloc(65_536)], 3, true],
        ],
      },
    );
  });

  it('reaches v3 and v4 clients on websocket and polling with each framing, writing prebuilt WebSocket frames', async () => {
    env = await startEngine({ perMessageDeflate: false });
    const wsV4a = await wsSession('EIO=4&transport=websocket');
    const wsV4b = await wsSession('EIO=4&transport=websocket');
    const wsV3 = await wsSession('EIO=3&transport=websocket');
    const pollV4 = await pollingSession('EIO=4&transport=polling');
    const pollV3b64 = await pollingSession('EIO=3&transport=polling&b64=1');
    const pollV3bin = await pollingSession('EIO=3&transport=polling');
    const send = vi.spyOn(WebSocket.prototype, 'send');
    const message = new PreparedMessage(parts());
    for (const { socket } of [wsV4a, wsV4b, wsV3, pollV4, pollV3b64, pollV3bin]) socket.sendPrepared(message);
    await until(() => wsV4a.frames.length === 2 && wsV4b.frames.length === 2 && wsV3.frames.length === 2);
    expect(send).not.toHaveBeenCalled();
    expect(wsV4a.frames).toEqual(['4451-["news",{"_placeholder":true,"num":0}]', Buffer.from([1, 2, 3])]);
    expect(wsV4b.frames).toEqual(wsV4a.frames);
    expect(wsV3.frames).toEqual(['4451-["news",{"_placeholder":true,"num":0}]', Buffer.from([4, 1, 2, 3])]);
    expect((await pollV4.poll()).text).toBe('4451-["news",{"_placeholder":true,"num":0}]\x1ebAQID');
    expect((await pollV3b64.poll()).text).toBe('43:4451-["news",{"_placeholder":true,"num":0}]6:b4AQID');
    const binary = (await pollV3bin.poll()).body;
    // [0=text][4][3][255] + 43 bytes of text, then [1=binary][4][255][4=message][1][2][3]
    expect(binary.subarray(0, 4)).toEqual(Buffer.from([0, 4, 3, 255]));
    expect(binary.length).toBe(4 + 43 + 7);
    expect(binary.subarray(-7)).toEqual(Buffer.from([1, 4, 255, 4, 1, 2, 3]));
  });

  it('interleaves correctly with ordinary sends, and compresses through ws when deflate applies', async () => {
    env = await startEngine({});
    const session = await wsSession('EIO=4&transport=websocket', { perMessageDeflate: true });
    const big = 'x'.repeat(4096);
    session.socket.send('first');
    session.socket.sendPrepared(new PreparedMessage([big]));
    session.socket.sendPrepared(new PreparedMessage(['small']));
    session.socket.send('last');
    await until(() => session.frames.length === 4);
    expect(session.frames).toEqual(['4first', `4${big}`, '4small', '4last']);
  });
});
