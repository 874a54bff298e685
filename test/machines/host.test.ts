import { describe, expect, it } from 'vitest';
import { assign, setup, type AnyStateMachine } from 'xstate';
import type { EffectHandlers } from '../../src/machines/effects';
import { MachineHost } from '../../src/machines/host';

/** A table with some effects' bodies only: these tests watch steps, and the host skips a name without a body. */
function some<M extends AnyStateMachine>(_machine: M, handlers: Partial<EffectHandlers<M, unknown>> = {}): EffectHandlers<M, unknown> {
  return handlers as unknown as EffectHandlers<M, unknown>;
}

const door = setup({
  types: { context: {} as { opened: number }, events: {} as { type: 'OPEN' } | { type: 'CLOSE' } | { type: 'SLAM' } },
  actions: { announce: (_, _params: { word: string }) => {} },
}).createMachine({
  context: { opened: 0 },
  initial: 'closed',
  states: {
    closed: {
      on: { OPEN: { target: 'open', actions: [assign({ opened: ({ context }) => context.opened + 1 }), { type: 'announce', params: { word: 'opened' } }] } },
    },
    open: { on: { CLOSE: 'closed', SLAM: { target: 'closed', actions: { type: 'announce', params: { word: 'slammed' } } } } },
  },
});

describe('MachineHost', () => {
  it('advances the snapshot and performs named actions with their params', () => {
    const words: string[] = [];
    const host = new MachineHost(door, { announce: (params: { word: string }) => words.push(params.word) });
    expect(host.state).toBe('closed');
    host.send({ type: 'OPEN' });
    host.send({ type: 'SLAM' });
    expect(host.state).toBe('closed');
    expect(host.snapshot.context.opened).toBe(1);
    expect(words).toEqual(['opened', 'slammed']);
  });

  it('queues events sent from an action handler until the current step is done', () => {
    const seen: string[] = [];
    const host: MachineHost<typeof door> = new MachineHost(door, {
      announce: (params: { word: string }) => {
        seen.push(`${params.word}@${host.state}`);
        if (params.word === 'opened') host.send({ type: 'CLOSE' });
      },
    });
    host.onTransition((next, prev) => seen.push(`${String(prev.value)}->${String(next.value)}`));
    host.send({ type: 'OPEN' });
    expect(seen).toEqual(['closed->open', 'opened@open', 'open->closed']);
  });

  it('ignores events the current state does not handle', () => {
    const host = new MachineHost(door, some(door));
    const before = host.snapshot;
    host.send({ type: 'CLOSE' });
    expect(host.state).toBe('closed');
    expect(host.snapshot.context).toEqual(before.context);
  });
});

describe('MachineHost shared steps', () => {
  it('reuses context-free steps across hosts yet keeps each host’s own assigned context', async () => {
    const { socketMachine } = await import('../../src/machines/socket');
    const finished: string[] = [];
    const make = () =>
      new MachineHost(
        socketMachine,
        some(socketMachine, {
          finishDisconnect: (params) => void finished.push(params.reason),
        }),
      );
    const a = make();
    const b = make();
    for (const host of [a, b]) host.send({ type: 'MIDDLEWARE_OK' });
    expect(a.currentContext).toBe(b.currentContext); // one shared step, one shared context
    a.send({ type: 'DISCONNECT', reason: 'ping timeout', initiator: 'client' });
    b.send({ type: 'DISCONNECT', reason: 'transport close', initiator: 'client' });
    a.send({ type: 'LEFT' });
    b.send({ type: 'LEFT' });
    expect(finished).toEqual(['ping timeout', 'transport close']);
    expect([a.state, b.state]).toEqual(['disconnected', 'disconnected']);
    expect(a.snapshot.context.reason).toBe('ping timeout');
  });

  it('gives the same states and actions as xstate’s own transition', async () => {
    const { transition, initialTransition } = await import('xstate');
    const { socketMachine } = await import('../../src/machines/socket');
    const performed: string[] = [];
    const handlers = Object.fromEntries(
      ['armConnectTimeout', 'disarmConnectTimeout', 'announceConnect', 'announceRefusal', 'beginDisconnect', 'finishDisconnect'].map((type) => [
        type,
        () => performed.push(type),
      ]),
    );
    const events = [{ type: 'MIDDLEWARE_OK' }, { type: 'LEFT' }, { type: 'DISCONNECT', reason: 'r', initiator: 'server' }, { type: 'LEFT' }] as const;
    for (let round = 0; round < 2; round++) {
      performed.length = 0;
      const host = new MachineHost(socketMachine, some(socketMachine, handlers));
      let [reference, referenceActions] = initialTransition(socketMachine);
      const expected = referenceActions.map((action) => action.type);
      for (const event of events) {
        host.send(event);
        [reference, referenceActions] = transition(socketMachine, reference, event);
        expected.push(...referenceActions.map((action) => action.type).filter((type) => !type.startsWith('xstate.')));
        expect(host.state).toBe(reference.value);
      }
      expect(performed).toEqual(expected);
    }
  });

  it('shares the initial step between inputs of equal values only', async () => {
    const { connectionMachine } = await import('../../src/machines/connection');
    const input = (pingInterval: number) => ({
      protocol: 4 as const,
      transport: 'websocket' as const,
      pingInterval,
      pingTimeout: 10,
      upgradeTimeout: 10,
      closeTimeout: 20,
    });
    const a = new MachineHost(connectionMachine, some(connectionMachine), input(100));
    const b = new MachineHost(connectionMachine, some(connectionMachine), input(100));
    const c = new MachineHost(connectionMachine, some(connectionMachine), input(200));
    expect(a.currentContext).toBe(b.currentContext);
    expect(c.currentContext).not.toBe(a.currentContext);
    expect(c.currentContext.pingInterval).toBe(200);
  });
});
