import { describe, expect, it } from 'vitest';
import { encodePacket, hasBinary } from '../../src/parser/encoder';
import { PacketType, type Packet } from '../../src/parser/packet';
import { referenceDecode, referenceEncode } from './oracles';

const buf = (...values: number[]) => Buffer.from(values);

describe('Socket.IO encoder: the protocol examples', () => {
  const textCases: Array<[Packet, string]> = [
    [{ type: PacketType.CONNECT, nsp: '/' }, '0'],
    [{ type: PacketType.CONNECT, nsp: '/', data: { sid: 'wZX3oN0bSVIhsaknAAAI' } }, '0{"sid":"wZX3oN0bSVIhsaknAAAI"}'],
    [{ type: PacketType.CONNECT, nsp: '/admin' }, '0/admin,'],
    [{ type: PacketType.CONNECT, nsp: '/admin', data: { sid: 'oSO0OpakMV_3jnilAAAA' } }, '0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}'],
    [{ type: PacketType.CONNECT_ERROR, nsp: '/', data: { message: 'Not authorized' } }, '4{"message":"Not authorized"}'],
    [{ type: PacketType.EVENT, nsp: '/', data: ['foo'] }, '2["foo"]'],
    [{ type: PacketType.EVENT, nsp: '/admin', data: ['bar'] }, '2/admin,["bar"]'],
    [{ type: PacketType.EVENT, nsp: '/', data: ['foo'], id: 12 }, '212["foo"]'],
    [{ type: PacketType.ACK, nsp: '/', data: [], id: 12 }, '312[]'],
    [{ type: PacketType.EVENT, nsp: '/admin', data: ['foo'], id: 13 }, '2/admin,13["foo"]'],
    [{ type: PacketType.ACK, nsp: '/admin', data: ['bar'], id: 13 }, '3/admin,13["bar"]'],
    [{ type: PacketType.DISCONNECT, nsp: '/' }, '1'],
    [{ type: PacketType.DISCONNECT, nsp: '/admin' }, '1/admin,'],
    [{ type: PacketType.CONNECT_ERROR, nsp: '/admin', data: 'Not authorized' }, '4/admin,"Not authorized"'],
  ];

  it.each(textCases)('encodes %j as %j, like socket.io-parser 3.x and 4.x', (packet, wire) => {
    expect(encodePacket(packet)).toEqual([wire]);
    expect(referenceEncode(5, packet)).toEqual([wire]);
    expect(referenceEncode(4, packet)).toEqual([wire]);
  });

  it('encodes a binary event with its attachment', () => {
    const packet: Packet = { type: PacketType.EVENT, nsp: '/', data: ['baz', buf(1, 2, 3, 4)] };
    expect(encodePacket(packet)).toEqual(['51-["baz",{"_placeholder":true,"num":0}]', buf(1, 2, 3, 4)]);
  });

  it('encodes two attachments in a namespace', () => {
    const packet: Packet = { type: PacketType.EVENT, nsp: '/admin', data: ['baz', buf(1, 2), buf(3, 4)] };
    expect(encodePacket(packet)).toEqual(['52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]', buf(1, 2), buf(3, 4)]);
  });

  it('encodes binary events and acks with ids', () => {
    expect(encodePacket({ type: PacketType.EVENT, nsp: '/', data: ['foo', buf(1, 2, 3, 4)], id: 14 })).toEqual([
      '51-14["foo",{"_placeholder":true,"num":0}]',
      buf(1, 2, 3, 4),
    ]);
    expect(encodePacket({ type: PacketType.ACK, nsp: '/', data: ['bar', buf(1, 2, 3, 4)], id: 15 })).toEqual([
      '61-15["bar",{"_placeholder":true,"num":0}]',
      buf(1, 2, 3, 4),
    ]);
  });

  it('finds binary nested anywhere, in any ArrayBuffer form, and hands out Buffers', () => {
    const arrayBuffer = new Uint8Array([5, 6]).buffer;
    const data = ['deep', { a: [{ b: new Uint16Array([0x0201]) }], c: arrayBuffer, d: new DataView(new Uint8Array([7]).buffer) }];
    const [text, ...attachments] = encodePacket({ type: PacketType.EVENT, nsp: '/', data });
    expect(text).toBe('53-["deep",{"a":[{"b":{"_placeholder":true,"num":0}}],"c":{"_placeholder":true,"num":1},"d":{"_placeholder":true,"num":2}}]');
    expect(attachments).toEqual([buf(1, 2), buf(5, 6), buf(7)]);
    expect(attachments.every((attachment) => Buffer.isBuffer(attachment))).toBe(true);
  });

  it('does not mutate the caller data', () => {
    const inner = { file: buf(1), list: [buf(2)] };
    const data = ['upload', inner];
    encodePacket({ type: PacketType.EVENT, nsp: '/', data });
    expect(data).toEqual(['upload', { file: buf(1), list: [buf(2)] }]);
    expect(data[1]).toBe(inner);
    expect(Buffer.isBuffer(inner.file)).toBe(true);
  });

  it('sees through toJSON, like socket.io-parser', () => {
    const withToJSON = { toJSON: () => ({ payload: buf(9) }) };
    expect(hasBinary(withToJSON)).toBe(true);
    expect(encodePacket({ type: PacketType.EVENT, nsp: '/', data: ['x', withToJSON] })).toEqual(['51-["x",{"payload":{"_placeholder":true,"num":0}}]', buf(9)]);
    const date = new Date(0);
    expect(encodePacket({ type: PacketType.EVENT, nsp: '/', data: ['when', date, buf(1)] })[0]).toBe(
      '51-["when","1970-01-01T00:00:00.000Z",{"_placeholder":true,"num":0}]',
    );
  });

  it('writes a BINARY_* packet without binary as plain EVENT/ACK', () => {
    expect(encodePacket({ type: PacketType.BINARY_EVENT, nsp: '/', data: ['a'] })).toEqual(['2["a"]']);
    expect(encodePacket({ type: PacketType.BINARY_ACK, nsp: '/', data: [], id: 1 })).toEqual(['31[]']);
  });

  it('with binary: false writes the data as JSON, Buffers as their toJSON (socket.io 2 binary(false))', () => {
    const packet: Packet = { type: PacketType.EVENT, nsp: '/', id: 2, data: ['a', buf(1), { b: [buf(2)] }] };
    expect(encodePacket(packet, { binary: false })).toEqual(['22["a",{"type":"Buffer","data":[1]},{"b":[{"type":"Buffer","data":[2]}]}]']);
    expect(encodePacket(packet, { binary: true })).toEqual(encodePacket(packet));
  });

  it('appends a protocol 4 CONNECT query to the namespace, as socket.io-client 2.x does', () => {
    expect(encodePacket({ type: PacketType.CONNECT, nsp: '/admin', query: 'token=1' })).toEqual(['0/admin?token=1,']);
  });

  it('leaves binary found outside events and acks to JSON, as the references do', () => {
    expect(encodePacket({ type: PacketType.CONNECT, nsp: '/', data: { b: buf(1) } })).toEqual(['0{"b":{"type":"Buffer","data":[1]}}']);
  });

  it.each([
    [{ type: PacketType.EVENT, nsp: 'admin', data: ['a'] }, /namespace must start with "\/"/],
    [{ type: PacketType.EVENT, nsp: '/a,b', data: ['a'] }, /must not contain ","/],
    [{ type: PacketType.EVENT, nsp: '/', data: ['a'], id: -1 }, /ack id must be a safe non-negative integer/],
    [{ type: PacketType.EVENT, nsp: '/', data: ['a'], id: 1.5 }, /ack id/],
    [{ type: PacketType.EVENT, nsp: '/', data: ['a'], id: 2 ** 53 }, /ack id/],
  ] as Array<[Packet, RegExp]>)('refuses to write %j', (packet, error) => {
    expect(() => encodePacket(packet)).toThrow(error);
  });

  it('throws a clear TypeError for circular data', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => encodePacket({ type: PacketType.EVENT, nsp: '/', data: ['x', circular] })).toThrow(TypeError);
    const circularWithBinary: Record<string, unknown> = { b: buf(1) };
    circularWithBinary.self = circularWithBinary;
    expect(() => encodePacket({ type: PacketType.EVENT, nsp: '/', data: ['x', { c: circularWithBinary }] })).toThrow(/circular or nested too deeply/);
  });

  it('produces what both reference decoders read back', () => {
    const packet: Packet = { type: PacketType.EVENT, nsp: '/chat', id: 7, data: ['msg', { file: buf(1, 2) }, [buf(3)]] };
    const encoded = encodePacket(packet);
    const expected = { type: PacketType.EVENT, nsp: '/chat', id: 7, data: ['msg', { file: buf(1, 2) }, [buf(3)]] };
    expect(referenceDecode(5, encoded)).toEqual(expected);
    expect(referenceDecode(4, encoded)).toMatchObject({ ...expected, type: PacketType.BINARY_EVENT });
  });
});

describe('hasBinary', () => {
  it.each([
    [null, false],
    [undefined, false],
    ['text', false],
    [42, false],
    [[1, 'a', { b: [null] }], false],
    [new Date(), false],
    [buf(), true],
    [new ArrayBuffer(0), true],
    [new Float64Array(1), true],
    [[1, [2, [3, { x: new Uint8Array(1) }]]], true],
  ])('hasBinary(%j) is %s', (value, expected) => {
    expect(hasBinary(value)).toBe(expected);
  });
});
