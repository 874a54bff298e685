/**
 * Reads the text part of a Socket.IO packet:
 *
 *   <type>[<attachments>-][<nsp>,][<id>][<json>]
 *
 * in one left-to-right pass, linear in the input, checking each field and
 * the payload rules of the protocol. For a BINARY_EVENT/BINARY_ACK it also
 * locates the placeholders the attachments will fill.
 */
import { decodedOk, preview, type Decoded } from '../transport/codec/packet';
import { findPlaceholders, type PlaceholderPlan } from './binary';
import { PacketType, isAckId, isPacketType, type Packet, type SocketIOProtocol } from './packet';
import { payloadError } from './payload-rules';
import { parseFailure, WORDING, type ParseFailure } from './parse-failure';

export interface DecodedText {
  packet: Packet;
  /** Set for BINARY_EVENT/BINARY_ACK: where the `packet.attachments` binaries go. */
  placeholders?: PlaceholderPlan;
}

/** More digits than any attachment count or safe integer has. */
const MAX_DIGITS = 16;

function digitsEnd(text: string, start: number): number {
  let end = start;
  while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
  return end;
}

export function decodeText(text: string, protocol: SocketIOProtocol, maxAttachments: number): Decoded<DecodedText> | ParseFailure {
  if (text.length === 0) return parseFailure(WORDING.invalidPayload, 'empty packet');
  const type = text.charCodeAt(0) - 48;
  if (!isPacketType(type)) return parseFailure(WORDING.unknownType, `unknown packet type ${preview(text[0])}`);
  const packet: Packet = { type, nsp: '/' };
  let cursor = 1;

  const isBinaryType = type === PacketType.BINARY_EVENT || type === PacketType.BINARY_ACK;
  if (isBinaryType) {
    const end = digitsEnd(text, cursor);
    if (end === cursor || text[end] !== '-') {
      return parseFailure(WORDING.illegalAttachments, `bad attachments count: expected digits then "-" after the type, got ${preview(text.slice(1, 20))}`);
    }
    const digits = text.slice(cursor, end);
    const count = Number(digits);
    if (count < 1) return parseFailure(WORDING.illegalAttachments, 'bad attachments count: a binary packet has at least 1 attachment');
    if (digits.length > MAX_DIGITS || count > maxAttachments) {
      return parseFailure(
        WORDING.tooManyAttachments,
        `too many attachments: ${digits.length > MAX_DIGITS ? `${digits.slice(0, MAX_DIGITS)}…` : digits} (at most ${maxAttachments})`,
      );
    }
    packet.attachments = count;
    cursor = end + 1;
  }

  const explicitNamespace = text[cursor] === '/';
  if (explicitNamespace) {
    const comma = text.indexOf(',', cursor);
    const end = comma < 0 ? text.length : comma;
    packet.nsp = text.slice(cursor, end);
    cursor = comma < 0 ? end : end + 1;
  }

  const negativeIdEnd = text[cursor] === '-' ? digitsEnd(text, cursor + 1) : cursor;
  if (negativeIdEnd > cursor + 1) {
    return parseFailure(WORDING.invalidPayload, `ack id ${preview(text.slice(cursor, negativeIdEnd))} is not a safe non-negative integer`);
  }
  const idEnd = digitsEnd(text, cursor);
  if (idEnd > cursor) {
    const digits = text.slice(cursor, idEnd);
    const id = digits.length > MAX_DIGITS ? NaN : Number(digits);
    if (!isAckId(id)) return parseFailure(WORDING.invalidPayload, `ack id ${preview(digits)} is not a safe non-negative integer`);
    packet.id = id;
    cursor = idEnd;
  }

  if (cursor < text.length) {
    const json = text.slice(cursor);
    try {
      packet.data = JSON.parse(json);
    } catch {
      return parseFailure(WORDING.invalidPayload, unparsableJsonError(json, !explicitNamespace));
    }
  }

  const ruleError = payloadError(type, packet.data, protocol);
  if (ruleError) return parseFailure(WORDING.invalidPayload, ruleError);

  if (protocol === 4 && type === PacketType.CONNECT) splitQuery(packet);

  if (!isBinaryType) return decodedOk({ packet });
  const placeholders = findPlaceholders(packet.data, packet.attachments!);
  if (typeof placeholders === 'string') return parseFailure(WORDING.illegalPlaceholder, placeholders);
  return decodedOk({ packet, placeholders });
}

// "2chat,[...]" is most likely a namespace written without its leading "/".
function unparsableJsonError(json: string, noNamespace: boolean): string {
  const comma = json.indexOf(',');
  if (noNamespace && comma > 0 && comma < 256 && !/[[{"]/.test(json.slice(0, comma))) {
    return `namespace must start with "/", got ${preview(json.slice(0, comma))}`;
  }
  return `invalid JSON payload ${preview(json)}`;
}

function splitQuery(packet: Packet): void {
  const question = packet.nsp.indexOf('?');
  if (question < 0) return;
  packet.query = packet.nsp.slice(question + 1);
  packet.nsp = packet.nsp.slice(0, question);
}
