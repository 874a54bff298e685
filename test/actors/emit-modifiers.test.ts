// The emit modifiers as an immutable value (src/actors/emit-modifiers.ts):
// what a socket.io 4 face's broadcast operator keeps must never change, and
// the 2.x chain built on it must reach the same rooms, excepts and flags.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { broadcastOptions, broadcasts, NO_MODIFIERS, withExcept, withFlag, withRooms, type EmitModifiers } from '../../src/actors/emit-modifiers';

const room = fc.oneof(fc.string({ maxLength: 4 }), fc.integer({ min: 0, max: 9 }));
// Long lists too: past 16 names in all they are taken by a set.
const rooms = fc.oneof(room, fc.array(room, { maxLength: 4 }), fc.array(room, { minLength: 10, maxLength: 24 }));
const step = fc.oneof(
  fc.record({ op: fc.constant('to' as const), rooms }),
  fc.record({ op: fc.constant('except' as const), rooms }),
  fc.record({
    op: fc.constant('flag' as const),
    flag: fc.constantFrom('volatile', 'local', 'json', 'binary', 'compress', 'broadcast' as const),
    value: fc.boolean(),
  }),
);
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

function apply(modifiers: EmitModifiers, s: Step): EmitModifiers {
  if (s.op === 'to') return withRooms(modifiers, s.rooms);
  if (s.op === 'except') return withExcept(modifiers, s.rooms);
  return withFlag(modifiers, s.flag, s.value);
}

/** The plain model: rooms and excepts as ordered sets of strings, flags as the last value set. */
function model(steps: Step[]): { rooms: string[]; except: string[]; flags: Record<string, boolean> } {
  const result = { rooms: [] as string[], except: [] as string[], flags: {} as Record<string, boolean> };
  for (const s of steps) {
    if (s.op === 'flag') result.flags[s.flag] = s.value;
    else {
      const list = s.op === 'to' ? result.rooms : result.except;
      for (const name of (Array.isArray(s.rooms) ? s.rooms : [s.rooms]).map(String)) if (!list.includes(name)) list.push(name);
    }
  }
  return result;
}

describe('emit modifiers', () => {
  it('build what the plain model says, and never change a value already built', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
        const built: Array<[EmitModifiers, string]> = [];
        let current = NO_MODIFIERS;
        for (const s of steps) {
          built.push([current, JSON.stringify(current)]);
          current = apply(current, s);
        }
        expect({ rooms: current.rooms, except: current.except, flags: current.flags }).toEqual(model(steps));
        for (const [value, json] of built) expect(JSON.stringify(value)).toBe(json);
      }),
    );
  });

  it('share one frozen empty value, which no step changes', () => {
    expect(
      Object.isFrozen(NO_MODIFIERS) && Object.isFrozen(NO_MODIFIERS.rooms) && Object.isFrozen(NO_MODIFIERS.except) && Object.isFrozen(NO_MODIFIERS.flags),
    ).toBe(true);
    fc.assert(fc.property(step, (s) => void apply(NO_MODIFIERS, s)));
    expect(NO_MODIFIERS).toEqual({ rooms: [], except: [], flags: {} });
  });

  it('return the same value when a step changes nothing', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 8 }), step, (steps, last) => {
        const once = apply(steps.reduce(apply, NO_MODIFIERS), last);
        expect(apply(once, last)).toBe(once);
      }),
    );
  });

  it('make a socket broadcast when they name rooms, excepts or the broadcast flag, and leave the sender out', () => {
    expect(broadcasts(NO_MODIFIERS)).toBe(false);
    expect(broadcasts(withFlag(NO_MODIFIERS, 'volatile', true))).toBe(false);
    expect(broadcasts(withRooms(NO_MODIFIERS, 'r'))).toBe(true);
    expect(broadcasts(withExcept(NO_MODIFIERS, 'r'))).toBe(true);
    expect(broadcasts(withFlag(NO_MODIFIERS, 'broadcast', true))).toBe(true);
    const kept = withExcept(withRooms(NO_MODIFIERS, ['r', 7]), 'q');
    expect(broadcastOptions(kept, 'me')).toEqual({ rooms: ['r', '7'], except: ['q', 'me'], sender: 'me', flags: {} });
    expect(broadcastOptions(kept)).toEqual({ rooms: ['r', '7'], except: ['q'], flags: {} });
    expect(kept.except).toEqual(['q']);
  });

  it('take many long room names of one length at a cost about that of names of distinct lengths', () => {
    const count = 1000;
    // 20,000 characters each, differing at the end: V8 hashes them all alike.
    const collide = Array.from({ length: count }, (_, i) => `${'r'.repeat(19_992)}${String(i).padStart(8, '0')}`);
    const apart = Array.from({ length: count }, (_, i) => `${'r'.repeat(19_992 - count + i)}${String(i).padStart(8, '0')}`);
    const time = (names: string[]) => {
      let least = Infinity;
      for (let round = 0; round < 3; round++) {
        const start = performance.now();
        expect(withRooms(NO_MODIFIERS, [...names, names[0]!]).rooms).toHaveLength(count);
        least = Math.min(least, performance.now() - start);
      }
      return least;
    };
    const distinct = time(apart);
    const same = time(collide);
    // Before the set: each name was compared with all the others, some 60 times slower for these.
    expect(same).toBeLessThan(distinct * 4 + 20);
  });
});
