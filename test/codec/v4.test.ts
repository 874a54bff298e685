import { describe, expect, it } from 'vitest';
import { decodePacket, decodePayload, encodePacket, encodePayload } from '../../src/transport/codec/v4';
import type { EnginePacket } from '../../src/transport/codec/packet';
import { referenceV4DecodePacket, referenceV4DecodePayload, referenceV4EncodePacket, referenceV4EncodePayload } from './oracles';

const bytes = (...values: number[]) => Buffer.from(values);

describe('Engine.IO v4 packets', () => {
  const textCases: Array<[EnginePacket, string]> = [
    [
      { type: 'open', data: '{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}' },
      '0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}',
    ],
    [{ type: 'close' }, '1'],
    [{ type: 'ping' }, '2'],
    [{ type: 'ping', data: 'probe' }, '2probe'],
    [{ type: 'pong', data: 'probe' }, '3probe'],
    [{ type: 'message', data: 'hello' }, '4hello'],
    [{ type: 'message', data: 'héllo €😀' }, '4héllo €😀'],
    [{ type: 'upgrade' }, '5'],
    [{ type: 'noop' }, '6'],
  ];

  it.each(textCases)('encodes %j as %j and back', (packet, wire) => {
    expect(encodePacket(packet, true)).toBe(wire);
    expect(encodePacket(packet, false)).toBe(wire);
    expect(decodePacket(wire)).toEqual({ ok: true, value: packet });
    expect(referenceV4EncodePacket(packet, true)).toBe(wire);
    expect(referenceV4DecodePacket(wire)).toEqual(packet);
  });

  it('sends a binary message as the raw bytes when the transport carries binary', () => {
    const packet: EnginePacket = { type: 'message', data: bytes(1, 2, 3, 4) };
    expect(encodePacket(packet, true)).toEqual(bytes(1, 2, 3, 4));
    expect(decodePacket(bytes(1, 2, 3, 4))).toEqual({ ok: true, value: packet });
    expect(referenceV4EncodePacket(packet, true)).toEqual(bytes(1, 2, 3, 4));
  });

  it('sends a binary message as "b" + base64 otherwise', () => {
    const packet: EnginePacket = { type: 'message', data: bytes(1, 2, 3, 4) };
    expect(encodePacket(packet, false)).toBe('bAQIDBA==');
    expect(decodePacket('bAQIDBA==')).toEqual({ ok: true, value: packet });
    expect(referenceV4EncodePacket(packet, false)).toBe('bAQIDBA==');
    expect(referenceV4DecodePacket('bAQIDBA==')).toEqual(packet);
  });

  it('accepts any ArrayBuffer view as binary data, and binary frames as ArrayBuffer', () => {
    const view = new Uint16Array([0x0201, 0x0403]);
    expect(encodePacket({ type: 'message', data: view as unknown as Buffer }, false)).toBe('bAQIDBA==');
    const decoded = decodePacket(new Uint8Array([9, 8]).buffer as unknown as Buffer);
    expect(decoded).toEqual({ ok: true, value: { type: 'message', data: bytes(9, 8) } });
  });

  it('decodes an empty binary frame as an empty binary message', () => {
    expect(decodePacket(Buffer.alloc(0))).toEqual({ ok: true, value: { type: 'message', data: Buffer.alloc(0) } });
  });

  it('refuses to put binary data in a packet other than message', () => {
    expect(() => encodePacket({ type: 'ping', data: bytes(1) }, true)).toThrow(/only in message packets/);
  });

  it.each([
    ['', /empty packet/],
    ['7', /unknown packet type "7"/],
    ['x', /unknown packet type "x"/],
    ['-1', /unknown packet type "-"/],
    ['bA', /invalid base64/],
    ['b!!!!', /invalid base64/],
    ['bAQID BA==', /invalid base64/],
  ])('rejects %j', (frame, error) => {
    const decoded = decodePacket(frame);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toMatch(error);
  });
});

describe('Engine.IO v4 payloads', () => {
  it('joins packets with the record separator, binary in base64', () => {
    const packets: EnginePacket[] = [{ type: 'message', data: 'hello' }, { type: 'message', data: bytes(1, 2, 3, 4) }, { type: 'ping' }];
    const wire = '4hello\x1ebAQIDBA==\x1e2';
    expect(encodePayload(packets)).toBe(wire);
    expect(referenceV4EncodePayload(packets)).toBe(wire);
    expect(decodePayload(wire)).toEqual({ ok: true, value: packets });
    expect(referenceV4DecodePayload(wire)).toEqual(packets);
  });

  it('encodes a single packet payload without separator', () => {
    expect(encodePayload([{ type: 'message', data: 'a' }])).toBe('4a');
  });

  it.each([
    ['', /empty payload/],
    ['4hello\x1e', /packet 1 of payload: empty packet/],
    ['\x1e4hello', /packet 0 of payload: empty packet/],
    ['4a\x1e9b', /packet 1 of payload: unknown packet type "9"/],
    ['4a\x1eb%%', /packet 1 of payload: invalid base64/],
  ])('rejects %j', (body, error) => {
    const decoded = decodePayload(body);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toMatch(error);
  });

  it('rejects a binary body, which v4 polling never sends', () => {
    expect(decodePayload(bytes(4, 1) as unknown as string)).toEqual({ ok: false, error: 'a v4 payload must be text' });
  });
});
