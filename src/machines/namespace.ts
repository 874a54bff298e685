/**
 * The lifecycle of a namespace: it is created on first use (`io.of(name)`, or
 * a client connecting to a name a dynamic parent accepts), serves sockets while
 * `active`, and is `closed` once: by the server's shutdown (CLOSE), or, for a
 * dynamic parent's child left without sockets under
 * `cleanupEmptyChildNamespaces`, by being deleted (DELETE). Created children
 * of a dynamic parent are recorded with it, so a replay can say where they
 * came from, and so are deletions.
 */
import { setup } from 'xstate';
import { effect } from './effects';

export type NamespaceMachineEvent = { type: 'CLOSE' } | { type: 'DELETE' };

export const namespaceMachine = setup({
  types: { events: {} as NamespaceMachineEvent },
  actions: {
    announceCreate: effect(),
    disconnectAll: effect(),
    announceDelete: effect(),
  },
}).createMachine({
  id: 'namespace',
  initial: 'active',
  states: {
    active: {
      entry: 'announceCreate',
      on: {
        CLOSE: { target: 'closed', actions: 'disconnectAll' },
        DELETE: { target: 'closed', actions: 'announceDelete' },
      },
    },
    closed: { type: 'final' },
  },
});
