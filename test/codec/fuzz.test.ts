/**
 * Fuzzing the Engine.IO decoders: any string or byte array decodes to ok or
 * to a clear error, never a throw, and quickly. Where we accept an input the
 * reference parser must read the same packets from it (we are stricter, never
 * looser), which catches decoders that "succeed" with the wrong answer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Decoded } from '../../src/transport/codec/packet';
import * as v3 from '../../src/transport/codec/v3';
import * as v4 from '../../src/transport/codec/v4';
import { anyUtf16, v3Packet, v4Packet } from './arbitraries';
import { referenceV3DecodePacket, referenceV3DecodePayload, referenceV4DecodePacket, referenceV4DecodePayload } from './oracles';

const runs = { numRuns: 2000 };

function expectWellFormed(decoded: Decoded<unknown>): void {
  if (decoded.ok) return;
  expect(typeof decoded.error).toBe('string');
  expect(decoded.error.length).toBeGreaterThan(0);
}

/** A string that looks like protocol text: digits, separators and packet letters are common. */
const protocolishText = fc.oneof(
  anyUtf16({ maxLength: 60 }),
  fc.string({ unit: fc.constantFrom('0', '1', '2', '4', '6', '9', ':', 'b', 'A', '=', '\x1e', 'é', '😀', '\ud800'), maxLength: 60 }),
);

const protocolishBytes = fc
  .oneof(
    fc.uint8Array({ maxLength: 80 }),
    fc.array(fc.constantFrom(0, 1, 2, 3, 4, 9, 10, 0x34, 0xff, 0xc3, 0xa9, 0xed, 0xa0, 0x80), { maxLength: 80 }).map((a) => Uint8Array.from(a)),
  )
  .map((array) => Buffer.from(array));

type Mutation = { kind: 'cut' | 'delete' | 'insert' | 'replace'; at: number; char: string };
const mutation = fc.record({
  kind: fc.constantFrom<Mutation['kind']>('cut', 'delete', 'insert', 'replace'),
  at: fc.nat(),
  char: fc.constantFrom(':', '0', '9', 'b', '\x1e', 'x', '\ud800', '-'),
});

function mutate(text: string, mutations: Mutation[]): string {
  let out = text;
  for (const { kind, at, char } of mutations) {
    const i = out.length === 0 ? 0 : at % (out.length + 1);
    if (kind === 'cut') out = out.slice(0, i);
    if (kind === 'delete') out = out.slice(0, i) + out.slice(i + 1);
    if (kind === 'insert') out = out.slice(0, i) + char + out.slice(i);
    if (kind === 'replace') out = out.slice(0, i) + char + out.slice(i + 1);
  }
  return out;
}

function mutateBytes(body: Buffer, mutations: Mutation[]): Buffer {
  const bytes = [...body];
  for (const { kind, at, char } of mutations) {
    const i = bytes.length === 0 ? 0 : at % (bytes.length + 1);
    const byte = char.charCodeAt(0) & 0xff;
    if (kind === 'cut') bytes.length = i;
    if (kind === 'delete') bytes.splice(i, 1);
    if (kind === 'insert') bytes.splice(i, 0, byte);
    if (kind === 'replace') bytes.splice(i, 1, byte);
  }
  return Buffer.from(bytes);
}

describe('Engine.IO v4 decoders on arbitrary input', () => {
  it('decodePacket never throws; what it accepts, the reference reads the same', () => {
    fc.assert(
      fc.property(fc.oneof(protocolishText, protocolishBytes), (frame) => {
        const decoded = v4.decodePacket(frame);
        expectWellFormed(decoded);
        if (decoded.ok) expect(referenceV4DecodePacket(frame)).toEqual(decoded.value);
      }),
      runs,
    );
  });

  it('decodePayload never throws on arbitrary or mutated payloads; accepted ones match the reference', () => {
    const mutatedPayload = fc
      .tuple(fc.array(v4Packet(true), { minLength: 1, maxLength: 4 }), fc.array(mutation, { minLength: 1, maxLength: 3 }))
      .map(([packets, mutations]) => mutate(v4.encodePayload(packets), mutations));
    fc.assert(
      fc.property(fc.oneof(protocolishText, mutatedPayload), (body) => {
        const decoded = v4.decodePayload(body);
        expectWellFormed(decoded);
        if (decoded.ok) expect(referenceV4DecodePayload(body)).toEqual(decoded.value);
      }),
      runs,
    );
  });
});

describe('Engine.IO v3 decoders on arbitrary input', () => {
  it('decodePacket never throws; accepted text frames match the reference', () => {
    fc.assert(
      fc.property(fc.oneof(protocolishText, protocolishBytes), (frame) => {
        const decoded = v3.decodePacket(frame);
        expectWellFormed(decoded);
        if (decoded.ok && typeof frame === 'string') expect(referenceV3DecodePacket(frame)).toEqual(decoded.value);
      }),
      runs,
    );
  });

  it('decodePayload never throws on arbitrary or mutated text payloads; accepted ones match the reference', () => {
    const mutatedPayload = fc
      .tuple(fc.array(v3Packet(false), { minLength: 1, maxLength: 4 }), fc.array(mutation, { minLength: 1, maxLength: 3 }))
      .map(([packets, mutations]) => mutate(v3.encodePayload(packets, false) as string, mutations));
    fc.assert(
      fc.property(fc.oneof(protocolishText, mutatedPayload), (body) => {
        const decoded = v3.decodePayload(body);
        expectWellFormed(decoded);
        if (decoded.ok) expect(referenceV3DecodePayload(body)).toEqual(decoded.value);
      }),
      runs,
    );
  });

  it('decodePayload never throws on arbitrary or mutated binary payloads; accepted ones match the reference', () => {
    const mutatedPayload = fc
      .tuple(
        fc.array(v3Packet(true), { minLength: 1, maxLength: 4 }).map((packets) => [...packets, { type: 'message' as const, data: Buffer.of(1) }]),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
      )
      .map(([packets, mutations]) => mutateBytes(v3.encodePayload(packets, true) as Buffer, mutations));
    fc.assert(
      fc.property(fc.oneof(protocolishBytes, mutatedPayload), (body) => {
        const decoded = v3.decodePayload(body);
        expectWellFormed(decoded);
        if (decoded.ok) expect(referenceV3DecodePayload(body)).toEqual(decoded.value);
      }),
      runs,
    );
  });
});

// Linear decoders take milliseconds here; a quadratic one would take minutes, so the bound is loose for loaded CI machines.
describe('Engine.IO decoders on hostile input stay fast', () => {
  const megabyte = 1 << 20;
  const cases: Array<[string, () => Decoded<unknown>]> = [
    ['v3 text payload of a megabyte of digits', () => v3.decodePayload('9'.repeat(megabyte))],
    ['v3 text payload of a megabyte of "2:4a"', () => v3.decodePayload('2:4a'.repeat(megabyte / 4))],
    ['v3 text payload with a huge declared length', () => v3.decodePayload(`999999999999999:4${'a'.repeat(megabyte)}`)],
    ['v3 text payload of a megabyte of colons', () => v3.decodePayload(':'.repeat(megabyte))],
    ['v3 binary payload of a megabyte of zeros', () => v3.decodePayload(Buffer.alloc(megabyte))],
    [
      'v3 binary payload of many tiny packets',
      () =>
        v3.decodePayload(
          Buffer.from(
            Array<number[]>(megabyte / 4)
              .fill([1, 1, 0xff, 6])
              .flat(),
          ),
        ),
    ],
    [
      'v3 binary payload of a megabyte of invalid UTF-8',
      () => v3.decodePayload(Buffer.concat([Buffer.from([0, 1, 0, 4, 8, 5, 7, 6, 0xff, 0x34]), Buffer.alloc(megabyte - 1, 0xed)])),
    ],
    ['v4 payload of a megabyte of separators', () => v4.decodePayload('\x1e'.repeat(megabyte))],
    ['v4 payload of a megabyte of tiny packets', () => v4.decodePayload('6\x1e'.repeat(megabyte / 2) + '6')],
    ['v4 base64 packet of a megabyte of invalid base64', () => v4.decodePacket(`b${'!'.repeat(megabyte)}`)],
  ];

  it.each(cases)('%s', (_name, decode) => {
    const started = performance.now();
    expectWellFormed(decode());
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
