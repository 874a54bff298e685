/**
 * The recovery store, pure (no sockets, a fake clock): for any interleaving
 * of broadcasts (to rooms, to everyone, excluding rooms, to the socket
 * itself), room changes and transport drops shorter than the window, the
 * client receives each packet addressed to it exactly once, in order. A
 * packet is addressed to it by the rooms it was in when the packet was
 * broadcast; while it is away, by the rooms it was in when it left.
 * With a small count bound, a recovery either is exact or fails with
 * "buffer bound reached": never a silent gap.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecoveryRegistry } from '../../src/adapters/recovery/registry';
import { RECOVERY_DEFAULTS } from '../../src/adapters/recovery/options';
import { addressedTo } from '../../src/adapters/recovery/room-trail';

const ROOMS = ['a', 'b', 'c'];
const SELF = 'self-id';

type Op =
  | { kind: 'broadcast'; rooms: string[]; except: string[] }
  | { kind: 'direct' }
  | { kind: 'join' | 'leave'; room: string }
  | { kind: 'drop'; undetectedFor: number }
  | { kind: 'wait'; ms: number };

const room = fc.constantFrom(...ROOMS);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('broadcast' as const),
      rooms: fc.uniqueArray(fc.constantFrom(...ROOMS, SELF), { maxLength: 2 }),
      except: fc.uniqueArray(fc.constantFrom(...ROOMS, SELF), { maxLength: 1 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'direct' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('join' as const, 'leave' as const), room }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), undetectedFor: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.nat(50) }) },
);

interface Run {
  received: number[];
  expected: number[];
  failures: string[];
}

/**
 * Plays `ops` against a store; a drop makes the transport silently dead for
 * `undetectedFor` more broadcasts (the server still writes to it), then the
 * server notices, the socket is away for the broadcasts up to the next drop
 * or the end, and the client comes back with its pid and last offset.
 */
function play(ops: Op[], maxPackets: number): Run {
  let now = 1_000;
  const registry = new RecoveryRegistry({ ...RECOVERY_DEFAULTS, maxDisconnectionDuration: 60_000, maxPackets }, () => now);
  const store = registry.storeFor('/');
  const pid = 'pid-1';
  const run: Run = { received: [], expected: [], failures: [] };
  let rooms = new Set<string>();
  let state = 'connected' as 'connected' | 'dead' | 'away';
  let deadFor = 0;
  let lastOffset: string | undefined;
  let next = 0;

  const connect = () => {
    store.open(SELF, pid);
    rooms = new Set();
    join(SELF);
  };
  const join = (name: string) => {
    if (rooms.has(name)) return;
    rooms.add(name);
    store.roomChanged(SELF, name, true);
  };
  const leave = (name: string) => {
    if (!rooms.has(name)) return;
    rooms.delete(name);
    store.roomChanged(SELF, name, false);
  };
  const comeBack = () => {
    const begun = registry.begin(store, pid, lastOffset);
    const finished = begun.ok ? store.finish(begun.session, begun.from) : begun;
    if (!finished.ok) {
      run.failures.push(finished.reason);
      // A new socket: what it missed is gone, by design; the model starts over.
      run.expected = [...run.received];
      connect();
      state = 'connected';
      return;
    }
    for (const data of finished.packets) deliver(data as unknown[]);
    rooms = new Set(finished.rooms);
    state = 'connected';
  };
  const deliver = (data: unknown[]) => {
    run.received.push(data[0] as number);
    lastOffset = data[data.length - 1] as string;
  };
  const broadcast = (target: string[], except: string[]) => {
    const n = next++;
    // Addressed to it: by its rooms now (connected, or frozen since it left).
    if (addressedTo(rooms, target, except)) run.expected.push(n);
    const data = store.keep([n], target, except);
    if (state === 'connected' && addressedTo(rooms, target, except)) deliver(data);
    if (state === 'dead' && --deadFor < 0) {
      state = 'away';
      store.left(SELF, 'transport close', {});
    }
  };

  connect();
  for (const step of ops) {
    now += 1;
    switch (step.kind) {
      case 'broadcast':
        broadcast(step.rooms, step.except);
        break;
      case 'direct':
        broadcast([SELF], []);
        break;
      case 'join':
      case 'leave':
        // Rooms change on the server while it is connected, even over a dead transport.
        if (state !== 'away') (step.kind === 'join' ? join : leave)(step.room);
        break;
      case 'wait':
        now += step.ms;
        break;
      case 'drop':
        if (state === 'connected') {
          state = 'dead';
          deadFor = step.undetectedFor;
        } else {
          if (state === 'dead') store.left(SELF, 'ping timeout', {});
          comeBack();
        }
        break;
    }
  }
  if (state === 'dead') store.left(SELF, 'ping timeout', {});
  if (state !== 'connected') comeBack();
  return run;
}

describe('recovery store (fast-check)', () => {
  it('delivers each packet addressed to the client exactly once, in order, across drops within the window', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const run = play(ops, 10_000);
        expect(run.failures).toEqual([]);
        expect(run.received).toEqual(run.expected);
      }),
      { numRuns: 400 },
    );
  });

  it('with a small count bound, recovers exactly or says "buffer bound reached"; never a silent gap', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), fc.integer({ min: 1, max: 8 }), (ops, maxPackets) => {
        const run = play(ops, maxPackets);
        for (const failure of run.failures) expect(failure).toBe('buffer bound reached');
        expect(run.received).toEqual(run.expected);
      }),
      { numRuns: 400 },
    );
  });
});
