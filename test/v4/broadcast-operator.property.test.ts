// Property: a BroadcastOperator is a value. Whatever chain of modifiers is
// applied to an operator, the operator itself still selects and flags what
// it did; the chain's result selects the fold of its modifiers.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BroadcastOperator } from '../../src/v4/broadcast-operator';
import type { Namespace as CoreNamespace } from '../../src/actors/namespace';

type Step = { op: 'to' | 'except'; rooms: string[] } | { op: 'volatile' | 'local' } | { op: 'compress'; value: boolean };

const room = fc.constantFrom('a', 'b', 'c', '__proto__', 'constructor', '');
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constantFrom('to' as const, 'except' as const), rooms: fc.array(room, { maxLength: 3 }) }),
  fc.record({ op: fc.constantFrom('volatile' as const, 'local' as const) }),
  fc.record({ op: fc.constant('compress' as const), value: fc.boolean() }),
);

function apply(operator: BroadcastOperator, s: Step): BroadcastOperator {
  switch (s.op) {
    case 'to':
      return operator.to(s.rooms);
    case 'except':
      return operator.except(s.rooms);
    case 'volatile':
      return operator.volatile;
    case 'local':
      return operator.local;
    case 'compress':
      return operator.compress(s.value);
  }
}

/** A namespace whose adapter records what each emit asked for. */
function recordingNamespace() {
  const emits: Array<{ rooms: string[]; except?: string[]; flags?: object }> = [];
  const nsp = { name: '/', adapter: { broadcast: (_packet: unknown, opts: { rooms: string[]; except?: string[]; flags?: object }) => emits.push(opts) } };
  return { nsp: nsp as unknown as CoreNamespace, emits };
}

describe('BroadcastOperator', () => {
  it('never changes: a chain from it leaves its own rooms and flags as they were', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 6 }), fc.array(step, { maxLength: 6 }), (prefix, chain) => {
        const { nsp, emits } = recordingNamespace();
        const base = prefix.reduce(apply, new BroadcastOperator(nsp));
        base.emit('before');
        const derived = chain.reduce(apply, base);
        derived.emit('derived');
        base.emit('after');
        const [before, fromDerived, after] = emits;
        expect(after).toEqual(before);
        // The derived operator holds the base's rooms plus those its chain added.
        const added = chain.flatMap((s) => (s.op === 'to' ? s.rooms : []));
        expect(new Set(fromDerived!.rooms)).toEqual(new Set([...before!.rooms, ...added]));
        const excepted = chain.flatMap((s) => (s.op === 'except' ? s.rooms : []));
        expect(new Set(fromDerived!.except)).toEqual(new Set([...(before!.except ?? []), ...excepted]));
      }),
    );
  });
});
