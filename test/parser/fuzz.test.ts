/**
 * Fuzzing the Socket.IO decoder: any message or sequence of messages gives
 * ok or a clear error, never a throw, and quickly. Where we accept a message
 * the reference socket.io-parser of that protocol must read the same packet
 * (we may be stricter, never looser).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PacketDecoder } from '../../src/parser/decoder';
import { encodePacket } from '../../src/parser/encoder';
import { PacketType, type Packet } from '../../src/parser/packet';
import type { Decoded } from '../../src/transport/codec/packet';
import { ORACLE_RESERVED_EVENTS, validPacket } from './arbitraries';
import { referenceDecode, type ReferencePacket } from './oracles';

const runs = { numRuns: 2000 };

function expectWellFormed(decoded: Decoded<Packet | undefined>): void {
  if (decoded.ok) return;
  expect(typeof decoded.error).toBe('string');
  expect(decoded.error.length).toBeGreaterThan(0);
}

const protocolishText = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 30 }),
  fc
    .array(
      fc.constantFrom(
        '0',
        '1',
        '2',
        '3',
        '4',
        '5',
        '6',
        '9',
        '-',
        '/',
        ',',
        '?',
        '[',
        ']',
        '{',
        '}',
        '"',
        ':',
        'a',
        'null',
        '"_placeholder":true',
        '"num":',
        '"disconnect"',
        '\ud800',
        '9007199254740993',
      ),
      { maxLength: 20 },
    )
    .map((parts) => parts.join('')),
);

const mutatedEncoding = fc
  .tuple(validPacket(true), fc.nat(), fc.nat(), fc.constantFrom('', ',', '-', '/', '[', '"', '9', 'x', '?'))
  .map(([packet, at, length, insert]) => {
    const text = encodePacket(packet)[0] as string;
    const i = at % (text.length + 1);
    return text.slice(0, i) + insert + text.slice(i + (length % 3));
  });

/** A reference packet in our shape: BINARY_* folded, undefined fields dropped, protocol 4 CONNECT query split off. */
function normaliseReference(protocol: 4 | 5, raw: ReferencePacket): Packet {
  const type = raw.type === PacketType.BINARY_EVENT ? PacketType.EVENT : raw.type === PacketType.BINARY_ACK ? PacketType.ACK : raw.type;
  const packet: Packet = { type: type as Packet['type'], nsp: raw.nsp as string };
  if (raw.data !== undefined) packet.data = raw.data;
  if (raw.id !== undefined) packet.id = raw.id as number;
  const question = packet.nsp.indexOf('?');
  if (protocol === 4 && type === PacketType.CONNECT && question >= 0) {
    packet.query = packet.nsp.slice(question + 1);
    packet.nsp = packet.nsp.slice(0, question);
  }
  return packet;
}

/** socket.io-parser 4.x rejects these names; we leave that to the Socket.IO layer. */
function isReservedEvent(packet: Packet | undefined): boolean {
  const name = Array.isArray(packet?.data) ? packet.data[0] : undefined;
  return (packet?.type === PacketType.EVENT || packet?.type === PacketType.BINARY_EVENT) && ORACLE_RESERVED_EVENTS.includes(name as string);
}

describe.each([4, 5] as const)('Socket.IO protocol %i decoder on arbitrary input', (protocol) => {
  it('one message: never throws; what it accepts, the reference reads the same', () => {
    fc.assert(
      fc.property(fc.oneof(protocolishText, mutatedEncoding), (text) => {
        const decoded = new PacketDecoder({ protocol }).add(text);
        expectWellFormed(decoded);
        if (!decoded.ok) return;
        if (isReservedEvent(decoded.value)) return;
        const reference = referenceDecode(protocol, [text]);
        if (decoded.value === undefined) expect(reference).toBeUndefined();
        else expect(reference === 'error' ? reference : normaliseReference(protocol, reference!)).toEqual(decoded.value);
      }),
      runs,
    );
  });

  it('a sequence of text and binary messages: never throws, and an error never leaves a packet half reassembled', () => {
    const message = fc.oneof(
      protocolishText,
      fc.constantFrom('51-["a",{"_placeholder":true,"num":0}]', '62-[{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}]'),
      fc.uint8Array({ maxLength: 8 }).map((array) => Buffer.from(array)),
      fc.uint8Array({ maxLength: 8 }).map((array) => array.buffer),
    );
    fc.assert(
      fc.property(fc.array(message, { maxLength: 8 }), (messages) => {
        const decoder = new PacketDecoder({ protocol });
        for (const chunk of messages) {
          const decoded = decoder.add(chunk as string | Buffer);
          expectWellFormed(decoded);
          if (!decoded.ok) expect(decoder.awaitingAttachments).toBe(false);
        }
      }),
      runs,
    );
  });
});

// Linear decoding takes milliseconds here; a quadratic one would take minutes, so the bound is loose for loaded CI machines.
describe('Socket.IO decoder on hostile input stays fast', () => {
  const megabyte = 1 << 20;
  const cases: Array<[string, string]> = [
    ['a megabyte of "["', `2${'['.repeat(megabyte)}`],
    ['a megabyte-long ack id', `2${'9'.repeat(megabyte)}["a"]`],
    ['a megabyte-long attachments count', `5${'9'.repeat(megabyte)}-["a"]`],
    ['a megabyte-long namespace without comma', `2/${'a'.repeat(megabyte)}`],
    ['a megabyte of nested objects', `2["a",${'{"a":'.repeat(Math.floor(megabyte / 5))}1${'}'.repeat(Math.floor(megabyte / 5))}]`],
    [
      'a megabyte of placeholders',
      `510-["a",${Array(Math.floor(megabyte / 30))
        .fill('{"_placeholder":true,"num":9}')
        .join(',')}]`,
    ],
    ['a megabyte of lone surrogates', `2["${'\ud800'.repeat(megabyte)}"]`],
  ];

  it.each(cases)('%s', (_name, text) => {
    for (const protocol of [4, 5] as const) {
      const started = performance.now();
      expectWellFormed(new PacketDecoder({ protocol }).add(text));
      expect(performance.now() - started).toBeLessThan(5000);
    }
  });

  it('accepts lone surrogates, raw or escaped, inside JSON strings', () => {
    const decoder = new PacketDecoder({ protocol: 5 });
    expect(decoder.add('2["\ud800"]')).toEqual({ ok: true, value: { type: 2, nsp: '/', data: ['\ud800'] } });
    expect(decoder.add('2["\\udc00"]')).toEqual({ ok: true, value: { type: 2, nsp: '/', data: ['\udc00'] } });
  });
});
