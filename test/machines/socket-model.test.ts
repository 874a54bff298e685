/**
 * Model-based test of the socket machine with xstate's pure `transition`:
 * arbitrary event sequences, with the runtime's duties simulated from the
 * named actions (the connect timer armed on entry to `connecting`, LEFT sent
 * once the rooms are left). Invariants: final states absorb every event; a
 * socket is never resting in a state nothing bounds; a socket that was
 * announced ends exactly once, through begin → finish, and a refused or
 * abandoned one is never announced.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { flattenStateValue } from '../../src/machines/host';
import { socketMachine, type SocketMachineEvent } from '../../src/machines/socket';

type Snapshot = SnapshotFrom<typeof socketMachine>;
type Action = { type: string; params?: unknown };

const FINAL = new Set(['disconnected', 'refused']);

const event = fc.oneof(
  fc.constant<SocketMachineEvent>({ type: 'MIDDLEWARE_OK' }),
  fc.record({ type: fc.constant('MIDDLEWARE_ERROR' as const), message: fc.string({ maxLength: 8 }) }),
  fc.constant<SocketMachineEvent>({ type: 'CONNECT_TIMEOUT' }),
  fc.record({
    type: fc.constant('DISCONNECT' as const),
    reason: fc.constantFrom('transport close', 'ping timeout', 'client namespace disconnect', 'server namespace disconnect'),
    initiator: fc.constantFrom('client' as const, 'server' as const, 'application' as const),
  }),
  fc.constant<SocketMachineEvent>({ type: 'LEFT' }),
);

/** The machine plus what src/actors/socket.ts does with its actions. */
class SocketModel {
  snapshot: Snapshot;
  connectTimerArmed = false;
  readonly performed: string[] = [];
  private readonly pending: SocketMachineEvent[] = [];

  constructor() {
    const [snapshot, actions] = initialTransition(socketMachine) as unknown as [Snapshot, Action[]];
    this.snapshot = snapshot;
    this.perform(actions);
  }

  get state(): string {
    return flattenStateValue(this.snapshot.value);
  }

  send(event: SocketMachineEvent): Action[] {
    const all: Action[] = [];
    this.pending.push(event);
    let next: SocketMachineEvent | undefined;
    while ((next = this.pending.shift()) !== undefined) {
      const [snapshot, actions] = transition(socketMachine, this.snapshot, next) as unknown as [Snapshot, Action[]];
      this.snapshot = snapshot;
      this.perform(actions);
      all.push(...actions);
    }
    return all;
  }

  private perform(actions: Action[]): void {
    for (const action of actions) {
      if (action.type.startsWith('xstate.')) continue;
      this.performed.push(action.type);
      if (action.type === 'armConnectTimeout') this.connectTimerArmed = true;
      if (action.type === 'disarmConnectTimeout') this.connectTimerArmed = false;
      // The runtime leaves every room synchronously, then reports it.
      if (action.type === 'beginDisconnect') this.pending.push({ type: 'LEFT' });
    }
  }
}

const count = (list: string[], type: string) => list.filter((t) => t === type).length;

describe('socket machine model', () => {
  it('starts in connecting with the connect timer armed', () => {
    const model = new SocketModel();
    expect(model.state).toBe('connecting');
    expect(model.connectTimerArmed).toBe(true);
  });

  it('any event sequence: bounded states, final states absorb, one end per socket', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (events) => {
        const model = new SocketModel();
        for (const e of events) {
          const before = model.state;
          const actions = model.send(e);
          if (FINAL.has(before)) {
            expect(model.state, `${e.type} left final state ${before}`).toBe(before);
            expect(actions.filter((a) => !a.type.startsWith('xstate.'))).toEqual([]);
          }
          // connecting is bounded by the connect timer; nothing may rest in disconnecting.
          expect(model.connectTimerArmed).toBe(model.state === 'connecting');
          expect(model.state).not.toBe('disconnecting');
        }
        const p = model.performed;
        expect(count(p, 'announceConnect')).toBeLessThanOrEqual(1);
        expect(count(p, 'announceRefusal') + count(p, 'finishDisconnect')).toBeLessThanOrEqual(1);
        if (count(p, 'announceConnect') === 1) {
          expect(count(p, 'announceRefusal')).toBe(0);
          const ended = model.state === 'disconnected';
          expect(count(p, 'beginDisconnect')).toBe(ended ? 1 : 0);
          expect(count(p, 'finishDisconnect')).toBe(ended ? 1 : 0);
          if (ended) expect(p.indexOf('beginDisconnect')).toBeLessThan(p.indexOf('finishDisconnect'));
        } else {
          expect(count(p, 'beginDisconnect') + count(p, 'finishDisconnect')).toBe(0);
        }
        if (model.state === 'refused') expect(count(p, 'announceRefusal')).toBe(1);
        if (model.state === 'disconnected') expect(model.snapshot.context.reason).toBeTypeOf('string');
      }),
      { numRuns: 200 },
    );
  });
});
