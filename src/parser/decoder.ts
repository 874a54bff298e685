/**
 * Reads Socket.IO packets from Engine.IO messages, one message at a time. A
 * BINARY_EVENT/BINARY_ACK arrives as its text then one binary message per
 * attachment; the decoder holds the text until the last attachment and then
 * returns the completed packet as an EVENT/ACK with Buffers where the
 * placeholders were (so decoded packets are never of a BINARY_* type and
 * carry no `attachments`).
 *
 * Bad input gives { ok: false, error, wording } (see parse-failure.ts) and
 * drops any half-reassembled packet, leaving the decoder ready for the next
 * packet; it never throws.
 */
import { decodedOk } from '../transport/codec/packet';
import { fillPlaceholders, isBinary, toBuffer, type PlaceholderPlan } from './binary';
import { decodeText } from './decode-text';
import { PacketType, type Packet, type SocketIOProtocol } from './packet';
import { parseFailure, WORDING, type DecodedPacket, type ParseFailure, type Wording } from './parse-failure';

export interface PacketDecoderOptions {
  protocol: SocketIOProtocol;
  /** Most binary attachments one packet may announce; socket.io-parser's default is 10. */
  maxAttachments?: number;
}

export const DEFAULT_MAX_ATTACHMENTS = 10;

interface Reassembly {
  packet: Packet;
  placeholders: PlaceholderPlan;
  expected: number;
  received: Buffer[];
}

export class PacketDecoder {
  readonly protocol: SocketIOProtocol;
  readonly maxAttachments: number;
  private reassembly: Reassembly | undefined;

  constructor(options: PacketDecoderOptions) {
    if (options.protocol !== 4 && options.protocol !== 5) {
      throw new TypeError(`Socket.IO protocol must be 4 or 5, got ${String(options.protocol)}`);
    }
    this.protocol = options.protocol;
    this.maxAttachments = options.maxAttachments ?? DEFAULT_MAX_ATTACHMENTS;
  }

  /** Feed one Engine.IO message. Returns the completed packet, or undefined while binary attachments are awaited, or an error (never throws). */
  add(chunk: string | Buffer | ArrayBuffer | ArrayBufferView): DecodedPacket {
    try {
      if (typeof chunk === 'string') return this.addText(chunk);
      if (isBinary(chunk)) return this.addAttachment(toBuffer(chunk));
      return this.fail(WORDING.unknownChunk, 'chunk is neither text nor binary');
    } catch (error) {
      // Defence in depth: the steps above do not throw on any input we know of.
      return this.fail(WORDING.invalidPayload, `malformed packet: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Whether a binary packet is half reassembled. */
  get awaitingAttachments(): boolean {
    return this.reassembly !== undefined;
  }

  /** Drops a half-reassembled packet. */
  destroy(): void {
    this.reassembly = undefined;
  }

  private addText(text: string): DecodedPacket {
    if (this.reassembly) {
      const { expected, received } = this.reassembly;
      return this.fail(WORDING.textWhileReconstructing, `got a text message while awaiting binary attachment ${received.length + 1} of ${expected}`);
    }
    const decoded = decodeText(text, this.protocol, this.maxAttachments);
    if (!decoded.ok) return decoded;
    const { packet, placeholders } = decoded.value;
    if (!placeholders) return decodedOk(packet);
    this.reassembly = { packet, placeholders, expected: packet.attachments!, received: [] };
    return decodedOk(undefined);
  }

  private addAttachment(attachment: Buffer): DecodedPacket {
    const reassembly = this.reassembly;
    if (!reassembly) return this.fail(WORDING.binaryWhileNotReconstructing, 'got a binary message but no binary packet awaits attachments');
    reassembly.received.push(attachment);
    if (reassembly.received.length < reassembly.expected) return decodedOk(undefined);
    this.reassembly = undefined;
    const { packet } = reassembly;
    const completed: Packet = {
      type: packet.type === PacketType.BINARY_EVENT ? PacketType.EVENT : PacketType.ACK,
      nsp: packet.nsp,
      data: fillPlaceholders(reassembly.placeholders, reassembly.received),
    };
    if (packet.id !== undefined) completed.id = packet.id;
    return decodedOk(completed);
  }

  private fail(wording: Wording, error: string): ParseFailure {
    this.reassembly = undefined;
    return parseFailure(wording, error);
  }
}
