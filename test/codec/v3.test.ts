import { describe, expect, it } from 'vitest';
import { decodePacket, decodePayload, encodePacket, encodePayload, isBinaryPayload } from '../../src/transport/codec/v3';
import type { EnginePacket } from '../../src/transport/codec/packet';
import { referenceV3DecodePacket, referenceV3DecodePayload, referenceV3EncodePacket, referenceV3EncodePayload } from './oracles';

const bytes = (...values: number[]) => Buffer.from(values);

function expectError(decoded: { ok: boolean; error?: string }, pattern: RegExp) {
  expect(decoded.ok).toBe(false);
  expect(decoded.error).toMatch(pattern);
}

describe('Engine.IO v3 packets', () => {
  const textCases: Array<[EnginePacket, string]> = [
    [
      { type: 'open', data: '{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000}' },
      '0{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000}',
    ],
    [{ type: 'close' }, '1'],
    [{ type: 'ping', data: 'probe' }, '2probe'],
    [{ type: 'pong', data: 'probe' }, '3probe'],
    [{ type: 'message', data: 'HelloWorld' }, '4HelloWorld'],
    [{ type: 'upgrade' }, '5'],
    [{ type: 'noop' }, '6'],
  ];

  it.each(textCases)('encodes %j as %j and back', (packet, wire) => {
    expect(encodePacket(packet, true)).toBe(wire);
    expect(decodePacket(wire)).toEqual({ ok: true, value: packet });
    expect(referenceV3EncodePacket(packet, true)).toBe(wire);
    expect(referenceV3DecodePacket(wire)).toEqual(packet);
  });

  it('writes binary as [type byte, ...data] in a binary frame (spec example 4|0|1|2|3|4|5)', () => {
    const packet: EnginePacket = { type: 'message', data: bytes(0, 1, 2, 3, 4, 5) };
    const wire = bytes(4, 0, 1, 2, 3, 4, 5);
    expect(encodePacket(packet, true)).toEqual(wire);
    expect(referenceV3EncodePacket(packet, true)).toEqual(wire);
    expect(decodePacket(wire)).toEqual({ ok: true, value: packet });
  });

  it('writes binary as "b" + type digit + base64 in text', () => {
    const packet: EnginePacket = { type: 'message', data: bytes(1, 2, 3, 4) };
    expect(encodePacket(packet, false)).toBe('b4AQIDBA==');
    expect(referenceV3EncodePacket(packet, false)).toBe('b4AQIDBA==');
    expect(decodePacket('b4AQIDBA==')).toEqual({ ok: true, value: packet });
    expect(referenceV3DecodePacket('b4AQIDBA==')).toEqual(packet);
  });

  it('lets any packet type carry binary', () => {
    expect(encodePacket({ type: 'ping', data: bytes(7) }, true)).toEqual(bytes(2, 7));
    expect(decodePacket(bytes(2, 7))).toEqual({ ok: true, value: { type: 'ping', data: bytes(7) } });
  });

  it.each([
    ['', /empty packet/],
    ['7', /unknown packet type "7"/],
    ['b', /unknown packet type in base64 packet/],
    ['b9AQID', /unknown packet type in base64 packet/],
    ['b4A', /invalid base64/],
    ['b4A*ID', /invalid base64/],
  ])('rejects the text frame %j', (frame, error) => expectError(decodePacket(frame), error));

  it.each([
    [bytes(), /empty binary packet/],
    [bytes(7, 1), /unknown packet type byte 7/],
    [bytes(255), /unknown packet type byte 255/],
  ])('rejects the binary frame %j', (frame, error) => expectError(decodePacket(frame), error));
});

describe('Engine.IO v3 text payloads', () => {
  it('prefixes each packet with its length and a colon', () => {
    const packets: EnginePacket[] = [
      { type: 'message', data: 'hello' },
      { type: 'message', data: '€' },
    ];
    expect(encodePayload(packets, false)).toBe('6:4hello2:4€');
    expect(referenceV3EncodePayload(packets, false)).toBe('6:4hello2:4€');
    expect(decodePayload('6:4hello2:4€')).toEqual({ ok: true, value: packets });
  });

  it('counts the length in UTF-16 code units, as engine.io-parser 2.x does', () => {
    const packets: EnginePacket[] = [{ type: 'message', data: 'é😀' }];
    expect(encodePayload(packets, false)).toBe('4:4é😀');
    expect(referenceV3EncodePayload(packets, false)).toBe('4:4é😀');
    expect(referenceV3DecodePayload('4:4é😀')).toEqual(packets);
  });

  it('writes binary packets in base64 when the client cannot take binary', () => {
    const packets: EnginePacket[] = [
      { type: 'message', data: 'a' },
      { type: 'message', data: bytes(1, 2, 3, 4) },
    ];
    expect(encodePayload(packets, false)).toBe('2:4a10:b4AQIDBA==');
    expect(referenceV3EncodePayload(packets, false)).toBe('2:4a10:b4AQIDBA==');
    expect(decodePayload('2:4a10:b4AQIDBA==')).toEqual({ ok: true, value: packets });
  });

  it('stays text when the client takes binary but no packet is binary', () => {
    const body = encodePayload([{ type: 'noop' }], true);
    expect(body).toBe('1:6');
    expect(isBinaryPayload(body)).toBe(false);
  });

  it('encodes no packets as "0:" and decodes it as none', () => {
    expect(encodePayload([], false)).toBe('0:');
    expect(referenceV3EncodePayload([], false)).toBe('0:');
    expect(decodePayload('0:')).toEqual({ ok: true, value: [] });
  });

  it.each([
    ['', /empty payload/],
    ['6', /truncated payload: length prefix without ':'/],
    ['6:4hel', /truncated payload: packet at offset 0 declares 6 characters, 4 remain/],
    ['2:4a3:4b', /truncated payload: packet at offset 4 declares 3 characters, 2 remain/],
    [':4a', /bad length prefix "" at offset 0/],
    ['x:4a', /bad length prefix "x" at offset 0/],
    ['-1:4', /bad length prefix "-1"/],
    ['9999999999999999:4', /bad length prefix/],
    ['2:9a', /packet 0 of payload: unknown packet type "9"/],
    ['2:4a2:xy', /packet 1 of payload: unknown packet type "x"/],
  ])('rejects %j', (body, error) => {
    expectError(decodePayload(body), error);
    expect(referenceV3DecodePayload(body)).toBe('error');
  });

  // engine.io-parser 2.x reads any string that Number() accepts as a length.
  it.each([
    ['1e1:4aaaaaaaaa', /bad length prefix "1e1"/],
    [' 2:4a', /bad length prefix " 2"/],
    ['0x2:4a', /bad length prefix "0x2"/],
  ])('is stricter than the reference about length prefixes: rejects %j', (body, error) => {
    expectError(decodePayload(body), error);
  });
});

describe('Engine.IO v3 binary payloads', () => {
  it('writes marker, length digits as bytes, 0xFF, then the packet', () => {
    const packets: EnginePacket[] = [
      { type: 'message', data: 'hi' },
      { type: 'message', data: bytes(1, 2) },
    ];
    const wire = bytes(0, 3, 0xff, 0x34, 0x68, 0x69, 1, 3, 0xff, 4, 1, 2);
    const body = encodePayload(packets, true);
    expect(isBinaryPayload(body)).toBe(true);
    expect(body).toEqual(wire);
    expect(referenceV3EncodePayload(packets, true)).toEqual(wire);
    expect(decodePayload(wire)).toEqual({ ok: true, value: packets });
  });

  it('writes multi-digit lengths one digit per byte', () => {
    const data = Buffer.alloc(123, 7);
    const body = encodePayload([{ type: 'message', data }], true) as Buffer;
    expect([...body.subarray(0, 5)]).toEqual([1, 1, 2, 4, 0xff]);
    expect(body.subarray(5)).toEqual(Buffer.concat([bytes(4), data]));
  });

  it('writes text packets as UTF-8 and counts their bytes', () => {
    const packets: EnginePacket[] = [
      { type: 'message', data: 'é😀' },
      { type: 'message', data: bytes(9) },
    ];
    const body = encodePayload(packets, true) as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0, 7, 0xff]);
    expect(body.subarray(3, 10).toString('utf8')).toBe('4é😀');
    expect(body).toEqual(referenceV3EncodePayload(packets, true));
    expect(decodePayload(body)).toEqual({ ok: true, value: packets });
  });

  it('writes a lone surrogate as U+FFFD, as utf8.js does', () => {
    const packets: EnginePacket[] = [
      { type: 'message', data: 'a\ud800b' },
      { type: 'message', data: bytes(1) },
    ];
    const body = encodePayload(packets, true) as Buffer;
    expect(body).toEqual(referenceV3EncodePayload(packets, true));
    const read = [
      { type: 'message', data: 'a\ufffdb' },
      { type: 'message', data: bytes(1) },
    ];
    expect(decodePayload(body)).toEqual({ ok: true, value: read });
    expect(referenceV3DecodePayload(body)).toEqual(read);
  });

  it('reads an encoded surrogate as one U+FFFD, as utf8.js does', () => {
    const body = bytes(0, 6, 0xff, 0x34, 0x61, 0xed, 0xa0, 0x80, 0x62);
    const read = [{ type: 'message', data: 'a\ufffdb' }];
    expect(decodePayload(body)).toEqual({ ok: true, value: read });
    expect(referenceV3DecodePayload(body)).toEqual(read);
  });

  it.each([
    [bytes(), /empty payload/],
    [bytes(2, 1, 0xff, 0x34), /bad packet marker byte 2 at offset 0/],
    [bytes(0, 1, 10, 0xff, 0x34), /bad length digit byte 10 at offset 2/],
    [bytes(0, 1, 2), /truncated payload: length prefix without 0xFF/],
    [bytes(0, 0xff, 0x34), /empty length prefix at offset 0/],
    [bytes(0, 3, 0xff, 0x34), /truncated payload: packet at offset 0 declares 3 bytes, 1 remain/],
    [bytes(0, ...Array(20).fill(9), 0xff), /length prefix too long/],
    [bytes(0, 2, 0xff, 0x34, 0xff), /packet 0 of payload is not valid UTF-8/],
    [bytes(0, 3, 0xff, 0x34, 0xc0, 0x80), /packet 0 of payload is not valid UTF-8/],
    [bytes(0, 2, 0xff, 0x34, 0xe2), /not valid UTF-8/],
    [bytes(0, 1, 0xff, 0x39), /packet 0 of payload: unknown packet type "9"/],
    [bytes(1, 0, 0xff), /packet 0 of payload: empty binary packet/],
    [bytes(1, 1, 0xff, 9), /packet 0 of payload: unknown packet type byte 9/],
  ])('rejects %j', (body, error) => expectError(decodePayload(body), error));

  it('accepts an ArrayBuffer body', () => {
    const body = bytes(1, 2, 0xff, 4, 5);
    const arrayBuffer = body.buffer.slice(body.byteOffset, body.byteOffset + body.length);
    expect(decodePayload(arrayBuffer as unknown as Buffer)).toEqual({
      ok: true,
      value: [{ type: 'message', data: bytes(5) }],
    });
  });
});
