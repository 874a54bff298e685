/** fast-check generators of Socket.IO packets, with JSON and binary nested anywhere. */
import fc from 'fast-check';
import { PacketType, type Packet } from '../../src/parser/packet';

/**
 * Names socket.io-parser 4.x refuses to decode. Ours decodes them (the
 * Socket.IO layer refuses them), so comparisons with that oracle leave them out.
 */
export const ORACLE_RESERVED_EVENTS: readonly string[] = ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'];

/** JSON values as they come back from JSON.parse (fast-check may produce -0, which JSON writes as 0). */
const json = (maxDepth: number) => fc.jsonValue({ maxDepth }).map((value) => JSON.parse(JSON.stringify(value)) as unknown);

export const binaryLeaf = fc.uint8Array({ maxLength: 16 }).map((array) => Buffer.from(array));

/** JSON values with Buffers anywhere in them; no "_placeholder" keys, which would be read as placeholders. */
export const { tree: dataWithBinary } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('array'), tie('object')),
  leaf: fc.oneof(json(1), binaryLeaf),
  array: fc.array(tie('tree'), { maxLength: 4 }),
  object: fc.dictionary(
    fc.string({ maxLength: 6 }).filter((key) => key !== '_placeholder'),
    tie('tree'),
    { maxKeys: 4, noNullPrototype: true },
  ),
}));

const jsonObject = fc.dictionary(fc.string({ maxLength: 6 }), json(2), { maxKeys: 4, noNullPrototype: true });

/** A namespace: "/" or "/" + anything but "," (and "?", which protocol 4 reads as the start of a query). */
export const namespace = fc.oneof(
  fc.constant('/'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).map((name) => `/${name.replace(/[,?]/g, '')}`),
);

const ackId = fc.nat({ max: Number.MAX_SAFE_INTEGER });
const eventName = fc.oneof(
  fc.string({ maxLength: 10 }).filter((name) => !ORACLE_RESERVED_EVENTS.includes(name)),
  fc.integer(),
);

/** Buffers in a value, as the encoder counts attachments. */
function countBinary(value: unknown): number {
  if (Buffer.isBuffer(value)) return 1;
  if (!value || typeof value !== 'object') return 0;
  return Object.values(value).reduce((sum: number, item) => sum + countBinary(item), 0);
}

/**
 * Any packet valid in both protocols, with at most 10 attachments (the
 * decoders' default limit). `withQuery` adds protocol 4 CONNECT queries.
 */
export function validPacket(withQuery = false): fc.Arbitrary<Packet> {
  return anyValidPacket(withQuery).filter((packet) => countBinary(packet.data) <= 10);
}

function anyValidPacket(withQuery: boolean): fc.Arbitrary<Packet> {
  const connect = withQuery
    ? fc.record(
        { type: fc.constant(PacketType.CONNECT), nsp: namespace, data: jsonObject, query: fc.string({ maxLength: 10 }).map((q) => q.replaceAll(',', '')) },
        { requiredKeys: ['type', 'nsp'] },
      )
    : fc.record({ type: fc.constant(PacketType.CONNECT), nsp: namespace, data: jsonObject }, { requiredKeys: ['type', 'nsp'] });
  return fc.oneof(
    connect,
    fc.record({ type: fc.constant(PacketType.DISCONNECT), nsp: namespace }),
    fc.record(
      {
        type: fc.constant(PacketType.EVENT),
        nsp: namespace,
        data: fc.tuple(eventName, fc.array(dataWithBinary, { maxLength: 4 })).map(([name, args]) => [name, ...args]),
        id: ackId,
      },
      { requiredKeys: ['type', 'nsp', 'data'] },
    ),
    fc.record({ type: fc.constant(PacketType.ACK), nsp: namespace, data: fc.array(dataWithBinary, { maxLength: 4 }), id: ackId }),
    fc.record({ type: fc.constant(PacketType.CONNECT_ERROR), nsp: namespace, data: fc.oneof(fc.string(), jsonObject) }),
  );
}
