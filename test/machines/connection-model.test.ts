/**
 * Model-based test of the connection machine with xstate's pure `transition`,
 * complementing connection.property.test.ts (which runs the timers on a fake
 * clock): here every event may arrive in any state, including `closed`.
 * Invariants: `closed` absorbs every event with no effect; in every
 * non-terminal state the timer that bounds it is armed (heartbeat while
 * handshaking or open, the upgrade timer while upgrading, the close timer
 * while closing); a session records at most one `conn.open` and exactly one
 * `conn.close` with one reason once closed, the open always first.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { flattenStateValue } from '../../src/machines/host';
import { connectionMachine, type ConnectionEvent, type ConnectionInput } from '../../src/machines/connection';

type Snapshot = SnapshotFrom<typeof connectionMachine>;
type Action = { type: string; params: any };
type Timer = 'heartbeat' | 'upgrade' | 'close';

const anyEvent: fc.Arbitrary<ConnectionEvent> = fc
  .oneof(
    fc.constant({ type: 'OPENED' }),
    fc.constantFrom(
      { type: 'HEARTBEAT_DUE' },
      { type: 'PING' },
      { type: 'PONG' },
      { type: 'UPGRADE_START' },
      { type: 'PROBE' },
      { type: 'UPGRADE' },
      { type: 'UPGRADE_TIMEOUT' },
      { type: 'TRANSPORT_CLOSED', wsCode: 1000 },
      { type: 'CLOSE_TIMEOUT' },
    ),
    fc.record({ type: fc.constant('UPGRADE_FAILED'), reason: fc.string({ maxLength: 6 }) }),
    fc.record({ type: fc.constant('TRANSPORT_CLOSE'), wsCode: fc.option(fc.integer({ min: 1000, max: 4999 }), { nil: undefined }) }),
    fc.record({ type: fc.constant('TRANSPORT_ERROR'), message: fc.string({ maxLength: 6 }), initiator: fc.constantFrom('client', 'server') }),
    fc.record({ type: fc.constant('PARSE_ERROR'), message: fc.string({ maxLength: 6 }) }),
    fc.record({ type: fc.constant('CLOSE'), discard: fc.boolean(), reason: fc.constantFrom(undefined, 'forced close', 'server shutting down') }),
  )
  .map((e) => ({ ...e, at: 0 }) as ConnectionEvent);

const input: fc.Arbitrary<ConnectionInput> = fc.record({
  protocol: fc.constantFrom(3 as const, 4 as const),
  transport: fc.constantFrom('polling' as const, 'websocket' as const),
  pingInterval: fc.integer({ min: 1, max: 1000 }),
  pingTimeout: fc.integer({ min: 1, max: 1000 }),
  upgradeTimeout: fc.integer({ min: 1, max: 1000 }),
  closeTimeout: fc.integer({ min: 1, max: 1000 }),
  upgrades: fc.constantFrom(['websocket'], []),
  maxPayload: fc.integer({ min: 1, max: 1e6 }),
});

/** Which timers the runtime holds, from the machine's named actions. */
function applyTimers(timers: Set<Timer>, actions: Action[]): void {
  for (const action of actions) {
    if (action.type === 'armHeartbeat') timers.add('heartbeat');
    if (action.type === 'armUpgradeTimer') timers.add('upgrade');
    if (action.type === 'armCloseTimer') timers.add('close');
    if (action.type === 'clearUpgradeTimer') timers.delete('upgrade');
    if (action.type === 'clearTimers') timers.clear();
  }
}

function boundingTimers(state: string): Timer[] {
  if (state === 'handshaking' || state === 'open.polling' || state === 'open.websocket') return ['heartbeat'];
  if (state === 'open.upgrading') return ['heartbeat', 'upgrade'];
  if (state === 'closing') return ['close'];
  return [];
}

describe('connection machine model', () => {
  it('arbitrary events in every state: bounded, closed absorbs, one open and one close', () => {
    fc.assert(
      fc.property(input, fc.array(anyEvent, { maxLength: 40 }), (settings, events) => {
        const [initial, entry] = initialTransition(connectionMachine, settings) as unknown as [Snapshot, Action[]];
        let snapshot = initial;
        const timers = new Set<Timer>();
        applyTimers(timers, entry);
        const records: string[] = [];
        const finishes: Action[] = [];
        for (const event of events) {
          const before = flattenStateValue(snapshot.value);
          const [next, actions] = transition(connectionMachine, snapshot, event) as unknown as [Snapshot, Action[]];
          snapshot = next;
          const state = flattenStateValue(snapshot.value);
          if (before === 'closed') {
            expect(state, `${event.type} left closed`).toBe('closed');
            expect(actions.filter((a) => !a.type.startsWith('xstate.'))).toEqual([]);
          }
          applyTimers(timers, actions);
          for (const a of actions) {
            if (a.type === 'record') records.push(a.params.type);
            if (a.type === 'finish') finishes.push(a);
          }
          for (const timer of boundingTimers(state)) expect(timers.has(timer), `${timer} timer armed in ${state}`).toBe(true);
          if (state === 'closed') expect(timers.size, 'no timer outlives the session').toBe(0);
        }
        const opens = records.filter((t) => t === 'conn.open').length;
        const closes = records.filter((t) => t === 'conn.close').length;
        const closed = snapshot.value === 'closed';
        expect(opens).toBeLessThanOrEqual(1);
        expect(closes).toBe(closed ? 1 : 0);
        expect(finishes).toHaveLength(closes);
        if (opens === 1 && closed) expect(records.indexOf('conn.open')).toBeLessThan(records.indexOf('conn.close'));
        if (closed) {
          expect(finishes[0].params.reason).toBeTypeOf('string');
          expect(['client', 'server']).toContain(finishes[0].params.initiator);
        }
      }),
      { numRuns: 150 },
    );
  });
});
