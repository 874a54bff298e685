/**
 * The lifecycle of a namespace: it is created on first use (`io.of(name)`, or
 * a client connecting to a name a dynamic parent accepts), serves sockets while
 * `active`, and is `closed` once by the server's shutdown. Created children of
 * a dynamic parent are recorded with it, so a replay can say where they came from.
 */
import { setup } from 'xstate';
import { effect } from './effects';

export type NamespaceMachineEvent = { type: 'CLOSE' };

export const namespaceMachine = setup({
  types: { events: {} as NamespaceMachineEvent },
  actions: {
    announceCreate: effect(),
    disconnectAll: effect(),
  },
}).createMachine({
  id: 'namespace',
  initial: 'active',
  states: {
    active: {
      entry: 'announceCreate',
      on: { CLOSE: { target: 'closed', actions: 'disconnectAll' } },
    },
    closed: { type: 'final' },
  },
});
