import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { socketMachine, type SocketMachineEvent } from '../../src/machines/socket';
import { namespaceMachine } from '../../src/machines/namespace';

type Snapshot = ReturnType<typeof initialTransition<typeof socketMachine>>[0];

function run(events: SocketMachineEvent[]): { snapshot: Snapshot; actions: string[] } {
  const [initial, initialActions] = initialTransition(socketMachine);
  let snapshot = initial;
  const actions = initialActions.map((action) => action.type);
  for (const event of events) {
    const [next, stepActions] = transition(socketMachine, snapshot, event);
    snapshot = next;
    actions.push(...stepActions.map((action) => action.type).filter((type) => !type.startsWith('xstate.')));
  }
  return { snapshot, actions };
}

describe('socket machine', () => {
  it('arms the connect timeout while middlewares run, then announces the connection', () => {
    const { snapshot, actions } = run([{ type: 'MIDDLEWARE_OK' }]);
    expect(snapshot.value).toBe('connected');
    expect(actions).toEqual(['armConnectTimeout', 'disarmConnectTimeout', 'announceConnect']);
  });

  it('refuses on a middleware error, carrying its message and data', () => {
    const [initial] = initialTransition(socketMachine);
    const [snapshot, actions] = transition(socketMachine, initial, { type: 'MIDDLEWARE_ERROR', message: 'no', data: { code: 1 } });
    expect(snapshot.value).toBe('refused');
    expect(snapshot.status).toBe('done');
    expect(actions.find((action) => action.type === 'announceRefusal')?.params).toEqual({ message: 'no', data: { code: 1 } });
  });

  it('refuses when the middlewares never answer within the connect timeout', () => {
    const { snapshot, actions } = run([{ type: 'CONNECT_TIMEOUT' }]);
    expect(snapshot.value).toBe('refused');
    expect(snapshot.context.error).toBe('connect timeout');
    expect(actions).toContain('announceRefusal');
  });

  it('goes through disconnecting (rooms still there) before disconnected, with one reason', () => {
    const { snapshot, actions } = run([{ type: 'MIDDLEWARE_OK' }, { type: 'DISCONNECT', reason: 'ping timeout', initiator: 'client' }, { type: 'LEFT' }]);
    expect(snapshot.value).toBe('disconnected');
    expect(snapshot.context).toMatchObject({ reason: 'ping timeout', initiator: 'client' });
    expect(actions.slice(-2)).toEqual(['beginDisconnect', 'finishDisconnect']);
  });

  it('keeps the first reason: a second DISCONNECT while disconnecting changes nothing', () => {
    const { snapshot } = run([
      { type: 'MIDDLEWARE_OK' },
      { type: 'DISCONNECT', reason: 'server namespace disconnect', initiator: 'application' },
      { type: 'DISCONNECT', reason: 'transport close', initiator: 'client' },
      { type: 'LEFT' },
    ]);
    expect(snapshot.context.reason).toBe('server namespace disconnect');
  });

  it('a connection lost while middlewares run ends the socket without announcing it', () => {
    const { snapshot, actions } = run([{ type: 'DISCONNECT', reason: 'transport close', initiator: 'client' }, { type: 'MIDDLEWARE_OK' }]);
    expect(snapshot.value).toBe('disconnected');
    expect(actions).not.toContain('announceConnect');
    expect(actions).toContain('disarmConnectTimeout');
  });

  it('final states ignore every event', () => {
    for (const end of [
      [{ type: 'CONNECT_TIMEOUT' }],
      [{ type: 'MIDDLEWARE_OK' }, { type: 'DISCONNECT', reason: 'x', initiator: 'server' }, { type: 'LEFT' }],
    ] as SocketMachineEvent[][]) {
      const { snapshot } = run(end);
      for (const event of [{ type: 'MIDDLEWARE_OK' }, { type: 'DISCONNECT', reason: 'y', initiator: 'client' }, { type: 'LEFT' }] as SocketMachineEvent[]) {
        const [next, actions] = transition(socketMachine, snapshot, event);
        expect(next.value).toBe(snapshot.value);
        expect(actions).toEqual([]);
      }
    }
  });
});

describe('namespace machine', () => {
  it('announces its creation, and disconnects everyone once when closed', () => {
    const [active, entry] = initialTransition(namespaceMachine);
    expect(active.value).toBe('active');
    expect(entry.map((action) => action.type)).toEqual(['announceCreate']);
    const [closed, actions] = transition(namespaceMachine, active, { type: 'CLOSE' });
    expect(closed.value).toBe('closed');
    expect(actions.map((action) => action.type)).toEqual(['disconnectAll']);
    expect(transition(namespaceMachine, closed, { type: 'CLOSE' })[1]).toEqual([]);
  });
});
