import { describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { MachineHost } from '../../src/actors/machine-host';

const door = setup({
  types: { context: {} as { opened: number }, events: {} as { type: 'OPEN' } | { type: 'CLOSE' } | { type: 'SLAM' } },
  actions: { announce: (_, _params: { word: string }) => {} },
}).createMachine({
  context: { opened: 0 },
  initial: 'closed',
  states: {
    closed: { on: { OPEN: { target: 'open', actions: [assign({ opened: ({ context }) => context.opened + 1 }), { type: 'announce', params: { word: 'opened' } }] } } },
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
    const host = new MachineHost(door, {});
    const before = host.snapshot;
    host.send({ type: 'CLOSE' });
    expect(host.state).toBe('closed');
    expect(host.snapshot.context).toEqual(before.context);
  });
});
