import { describe, expect, it } from 'vitest';
import { PacketDecoder } from '../../src/parser/decoder';
import { PacketType, type Packet } from '../../src/parser/packet';
import { referenceDecode } from './oracles';

const buf = (...values: number[]) => Buffer.from(values);

function decodeAll(protocol: 4 | 5, messages: Array<string | Buffer | ArrayBuffer>, maxAttachments?: number) {
  const decoder = new PacketDecoder({ protocol, maxAttachments });
  let last;
  for (const message of messages) {
    last = decoder.add(message);
    if (!last.ok) return last;
  }
  return last!;
}

function expectError(protocol: 4 | 5, messages: Array<string | Buffer>, pattern: RegExp) {
  const decoded = decodeAll(protocol, messages);
  expect(decoded.ok).toBe(false);
  if (!decoded.ok) expect(decoded.error).toMatch(pattern);
}

describe('Socket.IO decoder: the protocol examples, both protocols', () => {
  const cases: Array<[string, Packet]> = [
    ['0', { type: PacketType.CONNECT, nsp: '/' }],
    ['0{"sid":"wZX3oN0bSVIhsaknAAAI"}', { type: PacketType.CONNECT, nsp: '/', data: { sid: 'wZX3oN0bSVIhsaknAAAI' } }],
    ['0/admin,', { type: PacketType.CONNECT, nsp: '/admin' }],
    ['0/admin,{"token":"123"}', { type: PacketType.CONNECT, nsp: '/admin', data: { token: '123' } }],
    ['4{"message":"Not authorized"}', { type: PacketType.CONNECT_ERROR, nsp: '/', data: { message: 'Not authorized' } }],
    ['2["foo"]', { type: PacketType.EVENT, nsp: '/', data: ['foo'] }],
    ['2/admin,["bar"]', { type: PacketType.EVENT, nsp: '/admin', data: ['bar'] }],
    ['212["foo"]', { type: PacketType.EVENT, nsp: '/', data: ['foo'], id: 12 }],
    ['312[]', { type: PacketType.ACK, nsp: '/', data: [], id: 12 }],
    ['2/admin,13["foo"]', { type: PacketType.EVENT, nsp: '/admin', data: ['foo'], id: 13 }],
    ['3/admin,13["bar"]', { type: PacketType.ACK, nsp: '/admin', data: ['bar'], id: 13 }],
    ['1', { type: PacketType.DISCONNECT, nsp: '/' }],
    ['1/admin,', { type: PacketType.DISCONNECT, nsp: '/admin' }],
    ['2/admin', { type: PacketType.EVENT, nsp: '/admin' } as Packet],
    ['2[42,"numeric event name"]', { type: PacketType.EVENT, nsp: '/', data: [42, 'numeric event name'] }],
  ];

  it.each(cases.filter(([wire]) => wire !== '2/admin'))('decodes %j in protocol 5 and 4, like the references', (wire, packet) => {
    for (const protocol of [4, 5] as const) {
      expect(decodeAll(protocol, [wire])).toEqual({ ok: true, value: packet });
      expect(referenceDecode(protocol, [wire])).toEqual(packet);
    }
  });

  it('reassembles a binary event from its text and attachment', () => {
    const decoder = new PacketDecoder({ protocol: 5 });
    expect(decoder.add('51-["baz",{"_placeholder":true,"num":0}]')).toEqual({ ok: true, value: undefined });
    expect(decoder.awaitingAttachments).toBe(true);
    expect(decoder.add(buf(1, 2, 3, 4))).toEqual({
      ok: true,
      value: { type: PacketType.EVENT, nsp: '/', data: ['baz', buf(1, 2, 3, 4)] },
    });
    expect(decoder.awaitingAttachments).toBe(false);
  });

  it('reassembles two attachments in a namespace, with an id, as a BINARY_ACK', () => {
    const decoded = decodeAll(4, ['62-/admin,15["bar",{"_placeholder":true,"num":1},{"x":{"_placeholder":true,"num":0}}]', buf(1, 2), buf(3, 4)]);
    expect(decoded).toEqual({
      ok: true,
      value: { type: PacketType.ACK, nsp: '/admin', id: 15, data: ['bar', buf(3, 4), { x: buf(1, 2) }] },
    });
  });

  it('turns ArrayBuffer and Uint8Array attachments into Buffers', () => {
    const decoder = new PacketDecoder({ protocol: 5 });
    decoder.add('52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
    decoder.add(new Uint8Array([1, 2]).buffer);
    const decoded = decoder.add(new Uint8Array([3]));
    expect(decoded.ok && (decoded.value!.data as unknown[]).slice(1).every((item) => Buffer.isBuffer(item))).toBe(true);
    expect(decoded).toEqual({ ok: true, value: { type: PacketType.EVENT, nsp: '/', data: ['a', buf(1, 2), buf(3)] } });
  });

  it('puts an attachment under a "__proto__" key as an own property, not a prototype', () => {
    const decoded = decodeAll(5, ['51-["a",{"__proto__":{"_placeholder":true,"num":0}}]', buf(7)]);
    expect(decoded.ok).toBe(true);
    const holder = (decoded.ok && (decoded.value!.data as unknown[])[1]) as object;
    expect(Object.getPrototypeOf(holder)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(holder, '__proto__')?.value).toEqual(buf(7));
  });

  it('leaves placeholders of a non-binary packet alone, like the references', () => {
    const wire = '2["a",{"_placeholder":true,"num":0}]';
    const expected = { type: PacketType.EVENT, nsp: '/', data: ['a', { _placeholder: true, num: 0 }] };
    expect(decodeAll(5, [wire])).toEqual({ ok: true, value: expected });
    expect(referenceDecode(5, [wire])).toEqual(expected);
  });

  it('splits the query off a protocol 4 CONNECT namespace', () => {
    expect(decodeAll(4, ['0/admin?token=1&x=y,'])).toEqual({
      ok: true,
      value: { type: PacketType.CONNECT, nsp: '/admin', query: 'token=1&x=y' },
    });
    expect(decodeAll(5, ['0/admin?token=1,'])).toEqual({ ok: true, value: { type: PacketType.CONNECT, nsp: '/admin?token=1' } });
  });

  it('decodes an ERROR with a string payload and an ACK without payload in protocol 4', () => {
    expect(decodeAll(4, ['4"Not authorized"'])).toEqual({ ok: true, value: { type: 4, nsp: '/', data: 'Not authorized' } });
    expect(decodeAll(4, ['31'])).toEqual({ ok: true, value: { type: PacketType.ACK, nsp: '/', id: 1 } });
    expect(decodeAll(4, ['2["disconnect"]'])).toEqual({ ok: true, value: { type: 2, nsp: '/', data: ['disconnect'] } });
  });

  it('is ready for the next packet after an error', () => {
    const decoder = new PacketDecoder({ protocol: 5 });
    decoder.add('51-["a",{"_placeholder":true,"num":0}]');
    expect(decoder.add('2["b"]').ok).toBe(false);
    expect(decoder.awaitingAttachments).toBe(false);
    expect(decoder.add('2["c"]')).toEqual({ ok: true, value: { type: 2, nsp: '/', data: ['c'] } });
  });

  it('drops a half-reassembled packet on destroy', () => {
    const decoder = new PacketDecoder({ protocol: 5 });
    decoder.add('51-["a",{"_placeholder":true,"num":0}]');
    decoder.destroy();
    expect(decoder.add(buf(1))).toEqual({
      ok: false,
      error: 'got a binary message but no binary packet awaits attachments',
      wording: 'got binary data when not reconstructing a packet',
    });
  });

  it('refuses a protocol other than 4 or 5', () => {
    expect(() => new PacketDecoder({ protocol: 3 as 4 })).toThrow(/must be 4 or 5/);
  });
});

describe('Socket.IO decoder: what it rejects', () => {
  it.each([
    ['', /empty packet/],
    ['7', /unknown packet type "7"/],
    ['a["x"]', /unknown packet type "a"/],
    ['5["a"]', /bad attachments count/],
    ['5-["a"]', /bad attachments count/],
    ['51["a"]', /bad attachments count/],
    ['50-["a"]', /at least 1 attachment/],
    ['511-["a"]', /too many attachments: 11 \(at most 10\)/],
    ['599999999999999999999999999-["a"]', /too many attachments: 9999999999999999… \(at most 10\)/],
    ['2-1["a"]', /ack id "-1" is not a safe non-negative integer/],
    ['29007199254740993["a"]', /ack id "9007199254740993" is not a safe non-negative integer/],
    ['2123456789012345678901234567890["a"]', /ack id .* is not a safe non-negative integer/],
    ['2["a"', /invalid JSON payload/],
    ['2{"a":1}', /EVENT payload must be a non-empty array/],
    ['2[]', /EVENT payload must be a non-empty array/],
    ['2[null]', /event name must be a string or a number/],
    ['2[{"a":1}]', /event name must be a string or a number/],
    ['3{}', /ACK payload must be an array/],
    ['0"x"', /CONNECT payload must be an object/],
    ['1{}', /DISCONNECT carries no payload/],
    ['1/admin,[]', /DISCONNECT carries no payload/],
    ['2', /EVENT payload must be a non-empty array/],
    ['2admin,["a"]', /namespace must start with "\/", got "admin"/],
    ['51-["a",{"_placeholder":true,"num":1}]', /placeholder num 1 is not an integer in \[0, 1\)/],
    ['51-["a",{"_placeholder":true,"num":-1}]', /placeholder num -1/],
    ['51-["a",{"_placeholder":true,"num":0.5}]', /placeholder num 0.5/],
    ['51-["a",{"_placeholder":true,"num":"0"}]', /placeholder num "0"/],
    ['51-["a",{"_placeholder":true}]', /placeholder num undefined/],
  ])('rejects %j in both protocols', (wire, error) => {
    expectError(5, [wire], error);
    expectError(4, [wire], error);
  });

  it.each([
    ['3', /ACK payload must be an array/],
    ['0null', /CONNECT payload must be an object/],
    ['0[]', /CONNECT payload must be an object/],
    ['4', /CONNECT_ERROR payload must be a string or an object/],
    ['4[1]', /CONNECT_ERROR payload must be a string or an object/],
  ])('rejects %j in protocol 5 only', (wire, error) => {
    expectError(5, [wire], error);
    expect(decodeAll(4, [wire]).ok).toBe(true);
  });

  it.each([
    ['', 'invalid payload'],
    ['7', 'unknown packet type'],
    ['5x-["a"]', 'Illegal attachments'],
    ['50-["a"]', 'Illegal attachments'],
    ['511-["a"]', 'too many attachments'],
    ['2-1["a"]', 'invalid payload'],
    ['2["a"', 'invalid payload'],
    ['2{"a":1}', 'invalid payload'],
    ['2admin,["a"]', 'invalid payload'],
    ['51-["a",{"_placeholder":true,"num":1}]', 'illegal attachments'],
  ])('words the rejection of %j as socket.io-parser does: %s', (wire, wording) => {
    for (const protocol of [4, 5] as const) expect(decodeAll(protocol, [wire])).toMatchObject({ ok: false, wording });
  });

  it('enforces maxAttachments', () => {
    const wire = '53-["a",{"_placeholder":true,"num":0}]';
    expect(decodeAll(5, [wire], 2)).toEqual({ ok: false, error: 'too many attachments: 3 (at most 2)', wording: 'too many attachments' });
    expect(decodeAll(5, [wire], 3)).toEqual({ ok: true, value: undefined });
  });

  it('rejects a text message while attachments are awaited, and binary when none are', () => {
    expectError(5, ['52-["a",{"_placeholder":true,"num":0}]', buf(1), '2["b"]'], /got a text message while awaiting binary attachment 2 of 2/);
    expectError(5, [buf(1)], /got a binary message but no binary packet awaits attachments/);
    expectError(5, ['2["a"]', buf(1)], /no binary packet awaits/);
    expect(decodeAll(4, ['51-["a",{"_placeholder":true,"num":0}]', '2["b"]'])).toMatchObject({ wording: 'got plaintext data when reconstructing a packet' });
  });

  it('rejects a chunk that is neither text nor binary', () => {
    const decoder = new PacketDecoder({ protocol: 5 });
    expect(decoder.add(42 as unknown as string)).toEqual({ ok: false, error: 'chunk is neither text nor binary', wording: 'Unknown type' });
  });

  it('takes a huge namespace name in linear time', () => {
    const nsp = `/${'n'.repeat(1_000_000)}`;
    const started = performance.now();
    expect(decodeAll(5, [`2${nsp},["a"]`])).toEqual({ ok: true, value: { type: 2, nsp, data: ['a'] } });
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('rejects deeply nested binary data without overflowing the stack', () => {
    const depth = 200_000;
    const wire = `51-["a",${'['.repeat(depth)}{"_placeholder":true,"num":0}${']'.repeat(depth)}]`;
    const decoded = decodeAll(5, [wire, buf(1)]);
    expect(decoded.ok).toBe(true);
  });
});
