/**
 * Model-based test of the namespace machine with xstate's pure `transition`:
 * whatever number of CLOSE events arrive, the namespace is announced once on
 * creation, disconnects its sockets once, and never leaves `closed`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { namespaceMachine } from '../../src/machines/namespace';

type Snapshot = SnapshotFrom<typeof namespaceMachine>;
type Action = { type: string };

describe('namespace machine model', () => {
  it('announces once, closes once, and closed absorbs every later CLOSE', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), (closes) => {
        const [initial, entry] = initialTransition(namespaceMachine) as unknown as [Snapshot, Action[]];
        const performed = entry.map((a) => a.type);
        let snapshot = initial;
        for (let i = 0; i < closes; i++) {
          const wasClosed = snapshot.value === 'closed';
          const [next, actions] = transition(namespaceMachine, snapshot, { type: 'CLOSE' }) as unknown as [Snapshot, Action[]];
          if (wasClosed) expect(actions.filter((a) => !a.type.startsWith('xstate.'))).toEqual([]);
          snapshot = next;
          performed.push(...actions.map((a) => a.type));
        }
        expect(performed.filter((t) => t === 'announceCreate')).toHaveLength(1);
        expect(performed.filter((t) => t === 'disconnectAll')).toHaveLength(closes > 0 ? 1 : 0);
        expect(snapshot.value).toBe(closes > 0 ? 'closed' : 'active');
        expect(snapshot.status).toBe(closes > 0 ? 'done' : 'active');
      }),
      { numRuns: 20 },
    );
  });

  it('ends once, by the first CLOSE or DELETE: a deletion is announced, a close disconnects, never both', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('CLOSE' as const, 'DELETE' as const), { maxLength: 8 }), (events) => {
        const [initial] = initialTransition(namespaceMachine) as unknown as [Snapshot, Action[]];
        let snapshot = initial;
        const performed: string[] = [];
        for (const type of events) {
          const [next, actions] = transition(namespaceMachine, snapshot, { type }) as unknown as [Snapshot, Action[]];
          snapshot = next;
          performed.push(...actions.map((a) => a.type).filter((t) => !t.startsWith('xstate.')));
        }
        const expected = events.length === 0 ? [] : [events[0] === 'CLOSE' ? 'disconnectAll' : 'announceDelete'];
        expect(performed).toEqual(expected);
        expect(snapshot.value).toBe(events.length > 0 ? 'closed' : 'active');
      }),
      { numRuns: 50 },
    );
  });
});
