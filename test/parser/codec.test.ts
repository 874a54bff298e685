import { describe, expect, it } from 'vitest';
import * as reference5 from 'socket.io-parser';
import reference4 from 'socket.io-parser-v3';
import { Decoder, Encoder, PacketType, codecFromParser, createCodec, defaultCodec, type Packet, type PacketCodec } from '../../src/parser';

const buf = (...values: number[]) => Buffer.from(values);

function decodeWith(codec: PacketCodec, protocol: 4 | 5, messages: Array<string | Buffer>) {
  const decoder = codec.createDecoder(protocol);
  let last;
  for (const message of messages) {
    last = decoder.add(message);
    if (!last.ok) break;
  }
  decoder.destroy();
  return last!;
}

describe('our socket.io-parser-shaped Encoder and Decoder', () => {
  it('encode returns the array, as socket.io-parser 4.x does', () => {
    expect(new Encoder().encode({ type: PacketType.EVENT, nsp: '/', data: ['a', buf(1)] })).toEqual(['51-["a",{"_placeholder":true,"num":0}]', buf(1)]);
  });

  it('the Decoder emits decoded packets and throws on bad input', () => {
    const decoder = new Decoder();
    const decoded: Packet[] = [];
    decoder.on('decoded', (packet: Packet) => decoded.push(packet));
    decoder.add('51-["a",{"_placeholder":true,"num":0}]');
    expect(decoded).toEqual([]);
    decoder.add(buf(1));
    expect(decoded).toEqual([{ type: PacketType.EVENT, nsp: '/', data: ['a', buf(1)] }]);
    expect(() => decoder.add('2["a",')).toThrow(/JSON/i);
    decoder.destroy();
  });

  it('the Decoder takes protocol 4 and maxAttachments options', () => {
    const decoder = new Decoder({ protocol: 4, maxAttachments: 1 });
    const decoded: Packet[] = [];
    decoder.on('decoded', (packet: Packet) => decoded.push(packet));
    decoder.add('2["disconnect"]');
    expect(decoded).toEqual([{ type: PacketType.EVENT, nsp: '/', data: ['disconnect'] }]);
    expect(() => decoder.add('52-["a"]')).toThrow('too many attachments: 2 (at most 1)');
  });

  it('codecFromParser gives back the default codec for our own module', () => {
    expect(codecFromParser({ Encoder, Decoder })).toBe(defaultCodec);
  });

  it('createCodec applies maxAttachments to its decoders', () => {
    const codec = createCodec({ maxAttachments: 1 });
    expect(decodeWith(codec, 5, ['52-["a"]'])).toEqual({ ok: false, error: 'too many attachments: 2 (at most 1)', wording: 'too many attachments' });
  });
});

describe('codecFromParser with the reference parsers', () => {
  const modules = [
    ['socket.io-parser 4.x (return style)', reference5, 5],
    ['socket.io-parser 3.x (callback style)', reference4, 4],
  ] as const;

  it.each(modules)('%s encodes text and binary packets as we do', (_name, module) => {
    const codec = codecFromParser(module);
    const packets: Packet[] = [
      { type: PacketType.EVENT, nsp: '/', data: ['a', 1] },
      { type: PacketType.EVENT, nsp: '/chat', id: 3, data: ['a', { b: buf(1, 2) }] },
      { type: PacketType.ACK, nsp: '/', id: 4, data: [buf(9)] },
      { type: PacketType.BINARY_EVENT, nsp: '/', data: ['plain'] },
      { type: PacketType.CONNECT, nsp: '/admin', data: { sid: 'x' } },
    ];
    for (const packet of packets) expect(codec.encode(packet)).toEqual(defaultCodec.encode(packet));
  });

  it('socket.io-parser 3.x is not told BINARY_EVENT under binary: false, so Buffers go out as JSON', () => {
    const packet: Packet = { type: PacketType.EVENT, nsp: '/', data: ['a', buf(1)] };
    expect(codecFromParser(reference4).encode(packet, { binary: false })).toEqual(['2["a",{"type":"Buffer","data":[1]}]']);
  });

  it.each(modules)('%s decodes and the packets come out in our shape', (_name, module, protocol) => {
    const codec = codecFromParser(module);
    expect(decodeWith(codec, protocol, ['2/chat,7["a",{"_placeholder":true,"num":0}]'])).toEqual({
      ok: true,
      value: { type: PacketType.EVENT, nsp: '/chat', id: 7, data: ['a', { _placeholder: true, num: 0 }] },
    });
    expect(decodeWith(codec, protocol, ['61-/chat,7[{"_placeholder":true,"num":0}]', buf(5)])).toEqual({
      ok: true,
      value: { type: PacketType.ACK, nsp: '/chat', id: 7, data: [buf(5)] },
    });
    const decoder = codec.createDecoder(protocol);
    expect(decoder.add('51-["a",{"_placeholder":true,"num":0}]')).toEqual({ ok: true, value: undefined });
    decoder.destroy();
  });

  it.each(modules)('%s errors become { ok: false }', (_name, module, protocol) => {
    const codec = codecFromParser(module);
    for (const bad of ['9', '2["a"', '2{}', '5x-[]']) {
      const decoded = decodeWith(codec, protocol, [bad]);
      expect(decoded.ok, bad).toBe(false);
    }
    expect(decodeWith(codec, protocol, [buf(1)]).ok).toBe(false);
  });

  it('splits the protocol 4 CONNECT query off the namespace socket.io-parser 3.x leaves in it', () => {
    expect(decodeWith(codecFromParser(reference4), 4, ['0/admin?token=1,'])).toEqual({
      ok: true,
      value: { type: PacketType.CONNECT, nsp: '/admin', query: 'token=1' },
    });
  });

  it('applies our payload rules to what a custom parser lets through', () => {
    // socket.io-parser 3.x accepts an ACK id beyond 2^53; we do not.
    expect(decodeWith(codecFromParser(reference4), 4, ['39007199254740993[]'])).toEqual({
      ok: false,
      error: 'ack id 9007199254740992 is not a safe non-negative integer',
      wording: 'invalid payload',
    });
  });

  it('wraps a hand-written parser that emits errors instead of throwing', () => {
    class LenientDecoder {
      private listeners: Record<string, Array<(value: unknown) => void>> = {};
      on(event: string, listener: (value: unknown) => void) {
        (this.listeners[event] ??= []).push(listener);
      }
      add(chunk: string) {
        if (chunk === 'bad') this.listeners.error?.forEach((listener) => listener(new Error('bad chunk')));
        else this.listeners.decoded?.forEach((listener) => listener({ type: 2, data: JSON.parse(chunk) }));
      }
    }
    class JsonEncoder {
      encode(packet: Packet) {
        return [JSON.stringify(packet.data)];
      }
    }
    const codec = codecFromParser({ Encoder: JsonEncoder, Decoder: LenientDecoder });
    expect(codec.encode({ type: 2, nsp: '/', data: ['x'] })).toEqual(['["x"]']);
    expect(decodeWith(codec, 5, ['["x"]'])).toEqual({ ok: true, value: { type: 2, nsp: '/', data: ['x'] } });
    expect(decodeWith(codec, 5, ['bad'])).toEqual({ ok: false, error: 'bad chunk' });
    expect(decodeWith(codec, 5, ['{}'])).toEqual({ ok: false, error: 'EVENT payload must be a non-empty array', wording: 'invalid payload' });
  });

  it('says so when a custom encoder produces no array', () => {
    const codec = codecFromParser({
      Encoder: class {
        encode() {}
      },
      Decoder: Decoder,
    });
    expect(() => codec.encode({ type: 2, nsp: '/', data: ['x'] })).toThrow(/did not produce an array/);
  });
});
