/**
 * One Socket.IO packet, already encoded, shared by every recipient of a
 * broadcast. Each Engine.IO framing it needs (per protocol version, transport
 * and binary support) is derived the first time a recipient needs it and
 * cached here, so a broadcast to N clients encodes once per framing and
 * writes the same bytes N times. For WebSocket the cache holds whole frames
 * (src/transport/ws-frame.ts).
 */
import { isBinaryData } from './codec/binary';
import type { EnginePacket } from './codec/packet';
import * as v3 from './codec/v3';
import * as v4 from './codec/v4';
import { wsFrame, type WsFrame } from './ws-frame';

/** One Engine.IO message as a WebSocket frame: the payload, and the frame's buffers. */
export interface PreparedFrame extends WsFrame {
  data: string | Buffer;
  binary: boolean;
}

type FramingKey = 'ws3' | 'ws3b64' | 'ws4' | 'ws4b64' | 'poll3' | 'poll4';

export class PreparedMessage {
  readonly parts: ReadonlyArray<string | Buffer>;
  readonly hasBinary: boolean;
  private packetList?: EnginePacket[];
  private readonly framings: Partial<Record<FramingKey, PreparedFrame[] | string>> = {};

  /** Its size in bytes (strings counted by UTF-16 length: an estimate, for the send-buffer bound). */
  readonly size: number;

  constructor(parts: Array<string | Buffer>) {
    this.parts = parts;
    this.hasBinary = parts.some((part) => isBinaryData(part));
    this.size = parts.reduce((total, part) => total + part.length, 0);
  }

  /** The Engine.IO message packets, one per part. */
  get packets(): EnginePacket[] {
    return (this.packetList ??= this.parts.map((data) => ({ type: 'message', data })));
  }

  /** The WebSocket frames for a session of this protocol (binary as base64 when the client asked for b64). */
  wsFrames(protocol: 3 | 4, supportsBinary: boolean): PreparedFrame[] {
    const key: FramingKey = `ws${protocol}${supportsBinary ? '' : 'b64'}`;
    let frames = this.framings[key] as PreparedFrame[] | undefined;
    if (!frames) {
      const codec = protocol === 4 ? v4 : v3;
      frames = this.packets.map((packet) => {
        const data = codec.encodePacket(packet, supportsBinary);
        const binary = typeof data !== 'string';
        return { data, binary, ...wsFrame(data, binary) };
      });
      this.framings[key] = frames;
    }
    return frames;
  }

  /**
   * This message's part of a text polling payload. Text payloads concatenate
   * (v3) or join with the record separator (v4), so the segment is reusable
   * in any batch. (v3 binary payloads are built per batch instead.)
   */
  pollingSegment(protocol: 3 | 4): string {
    const key: FramingKey = `poll${protocol}`;
    let segment = this.framings[key] as string | undefined;
    if (segment === undefined) {
      segment = protocol === 4 ? v4.encodePayload(this.packets) : (v3.encodePayload(this.packets, false) as string);
      this.framings[key] = segment;
    }
    return segment;
  }
}
