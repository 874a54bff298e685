/**
 * Property: whatever transport events arrive, in any order, at any time, the
 * connection machine stays in a valid state, reaches `closed` at most once
 * with exactly one reason, leaves no timer armed once closed, and never
 * stays in a non-terminal state past its bound. The runtime's timers are
 * simulated on a fake clock from the machine's own named actions.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { flattenStateValue } from '../../src/machines/host';
import { pureInitialTransition, pureTransition } from '../../src/machines/pure-step';
import { connectionMachine, type ConnectionEvent, type ConnectionInput } from '../../src/machines/connection';

type Snapshot = SnapshotFrom<typeof connectionMachine>;
type Action = { type: string; params: any };
type TimerName = 'heartbeat' | 'upgrade' | 'close';
/** A transport event before the clock stamps it. */
type Untimed = ConnectionEvent extends infer E ? (E extends ConnectionEvent ? Omit<E, 'at'> : never) : never;

const VALID = new Set(['handshaking', 'open.polling', 'open.upgrading', 'open.websocket', 'closing', 'closed']);
const TIMER_EVENT: Record<TimerName, ConnectionEvent['type']> = { heartbeat: 'HEARTBEAT_DUE', upgrade: 'UPGRADE_TIMEOUT', close: 'CLOSE_TIMEOUT' };

type Step = { kind: 'advance'; ms: number } | { kind: 'event'; event: Untimed };

const lifecycleEvent = fc.constantFrom<Untimed>(
  { type: 'OPENED' },
  { type: 'PING' },
  { type: 'PONG' },
  { type: 'UPGRADE_START' },
  { type: 'PROBE' },
  { type: 'UPGRADE' },
  { type: 'UPGRADE_FAILED', reason: 'probe transport closed' },
);

/** Events that end or start ending the session: rarer, so runs also explore long-lived sessions. */
const endingEvent = fc.constantFrom<Untimed>(
  { type: 'TRANSPORT_CLOSE', wsCode: 1006 },
  { type: 'TRANSPORT_ERROR', message: 'boom' },
  { type: 'PARSE_ERROR', message: 'bad' },
  { type: 'CLOSE' },
  { type: 'CLOSE', discard: true, reason: 'server shutting down' },
  { type: 'TRANSPORT_CLOSED' },
);

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 200 }) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('event' as const), event: lifecycleEvent }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('event' as const), event: endingEvent }) },
);

/** The machine plus the runtime's timers on a fake clock. */
class Simulation {
  now = 0;
  snapshot: Snapshot;
  timers: Partial<Record<TimerName, number>> = {};
  closes: Action[] = [];
  finishes: Action[] = [];
  enteredAt = 0;

  constructor(readonly input: ConnectionInput) {
    const [snapshot, actions] = initialTransition(connectionMachine, input) as unknown as [Snapshot, Action[]];
    this.snapshot = snapshot;
    this.perform(actions);
  }

  get state(): string {
    return flattenStateValue(this.snapshot.value);
  }

  send(event: ConnectionEvent): void {
    const before = this.state;
    const [next, actions] = transition(connectionMachine, this.snapshot, event) as unknown as [Snapshot, Action[]];
    this.snapshot = next;
    if (this.state !== before) this.enteredAt = this.now;
    this.perform(actions);
  }

  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = (Object.entries(this.timers) as [TimerName, number][]).filter(([, at]) => at <= until).sort((a, b) => a[1] - b[1])[0];
      if (!due) break;
      this.now = due[1];
      delete this.timers[due[0]];
      this.send({ type: TIMER_EVENT[due[0]], at: this.now } as ConnectionEvent);
      this.checkBounds();
    }
    this.now = until;
    this.checkBounds();
  }

  private perform(actions: Action[]): void {
    for (const action of actions) {
      switch (action.type) {
        case 'armHeartbeat':
          this.timers.heartbeat = this.now + action.params.ms;
          break;
        case 'armUpgradeTimer':
          this.timers.upgrade = this.now + action.params.ms;
          break;
        case 'armCloseTimer':
          this.timers.close = this.now + action.params.ms;
          break;
        case 'clearUpgradeTimer':
          delete this.timers.upgrade;
          break;
        case 'clearTimers':
          this.timers = {};
          break;
        case 'record':
          if (action.params.type === 'conn.close') this.closes.push(action);
          break;
        case 'finish':
          this.finishes.push(action);
          break;
      }
    }
  }

  /** No state outlives its bound (the runtime fires each timer on time). */
  checkBounds(): void {
    const { pingInterval, pingTimeout, upgradeTimeout, closeTimeout } = this.input;
    const held = this.now - this.enteredAt;
    if (this.state === 'handshaking') expect(held).toBeLessThanOrEqual(pingTimeout);
    if (this.state === 'open.upgrading') expect(held).toBeLessThanOrEqual(upgradeTimeout);
    if (this.state === 'closing') expect(held).toBeLessThanOrEqual(closeTimeout);
    if (this.state.startsWith('open') || this.state === 'handshaking') {
      expect(this.timers.heartbeat, `heartbeat armed in ${this.state}`).toBeDefined();
      expect(this.timers.heartbeat! - this.now).toBeLessThanOrEqual(pingInterval + pingTimeout);
    }
  }
}

const input = fc.record({
  protocol: fc.constantFrom(3 as const, 4 as const),
  transport: fc.constantFrom('polling' as const, 'websocket' as const),
  pingInterval: fc.integer({ min: 1, max: 300 }),
  pingTimeout: fc.integer({ min: 1, max: 300 }),
  upgradeTimeout: fc.integer({ min: 1, max: 300 }),
  closeTimeout: fc.integer({ min: 1, max: 300 }),
  upgrades: fc.constantFrom(['websocket'], []),
  maxPayload: fc.integer({ min: 1, max: 1e6 }),
});

describe('connection machine properties', () => {
  it('any sequence of transport events and clock advances stays valid, closes at most once, and respects every bound', () => {
    fc.assert(
      fc.property(input, fc.boolean(), fc.array(step, { maxLength: 40 }), (settings, openFirst, steps) => {
        const sim = new Simulation(settings);
        // Most runs start from a confirmed handshake, so they explore the open states.
        if (openFirst) sim.send({ type: 'OPENED' });
        for (const s of steps) {
          if (s.kind === 'advance') sim.advance(s.ms);
          else sim.send({ ...s.event, at: sim.now } as ConnectionEvent);
          expect(VALID.has(sim.state), sim.state).toBe(true);
          expect(sim.closes.length).toBeLessThanOrEqual(1);
          expect(sim.finishes.length).toBe(sim.closes.length);
          sim.checkBounds();
        }
        // Left alone, every session ends: the longest chain is upgrading → polling → heartbeat → closing.
        sim.advance(settings.upgradeTimeout + 2 * (settings.pingInterval + settings.pingTimeout) + settings.closeTimeout);
        expect(sim.state).toBe('closed');
        expect(sim.closes).toHaveLength(1);
        expect(sim.finishes).toHaveLength(1);
        expect(typeof sim.closes[0].params.reason).toBe('string');
        expect(sim.finishes[0].params.reason).toBe(sim.closes[0].params.reason);
        expect(sim.timers).toEqual({});
      }),
      { numRuns: 500 },
    );
  });

  it("MachineHost's pure steps agree with xstate's transition and initialTransition", () => {
    const comparable = ([snapshot, actions]: [Snapshot, Action[]]) => ({
      value: snapshot.value,
      context: snapshot.context,
      status: snapshot.status,
      actions: actions.map((a) => [a.type, a.params]),
    });
    fc.assert(
      fc.property(input, fc.array(fc.record({ event: fc.oneof(lifecycleEvent, endingEvent), at: fc.nat(1000) }), { maxLength: 15 }), (settings, steps) => {
        let reference = initialTransition(connectionMachine, settings) as unknown as [Snapshot, Action[]];
        let ours = pureInitialTransition(connectionMachine, settings) as unknown as [Snapshot, Action[]];
        expect(comparable(ours)).toEqual(comparable(reference));
        for (const { event, at } of steps) {
          const timed = { ...event, at } as ConnectionEvent;
          reference = transition(connectionMachine, reference[0], timed) as unknown as [Snapshot, Action[]];
          ours = pureTransition(connectionMachine, ours[0], timed) as unknown as [Snapshot, Action[]];
          expect(comparable(ours)).toEqual(comparable(reference));
        }
      }),
      { numRuns: 100 },
    );
  });
});
