/**
 * The pure step of a machine: xstate's `transition` and `initialTransition`
 * without the throwaway actor they build on every call. The named actions the
 * step asks for are returned, never run.
 */
import { createActor, type AnyActorScope, type AnyStateMachine, type EventFromLogic, type SnapshotFrom } from 'xstate';

export type ExecutableAction = { type: string; params: unknown };

/**
 * xstate's `transition`/`initialTransition` build a throwaway actor (and run
 * the machine's initial state) on every call: ~100 µs a step. The same pure
 * step runs here against one inert scope per machine, built once; its action
 * executor only collects, so nothing runs inside the machine.
 */
const inertScopes = new WeakMap<AnyStateMachine, AnyActorScope>();

function inertScope(machine: AnyStateMachine): AnyActorScope {
  let scope = inertScopes.get(machine);
  if (!scope) {
    const self = createActor(machine);
    scope = {
      self,
      defer() {},
      id: '',
      logger() {},
      sessionId: '',
      stopChild() {},
      system: self.system,
      emit() {},
      actionExecutor() {},
    } as unknown as AnyActorScope;
    inertScopes.set(machine, scope);
  }
  return scope;
}

function collecting<T>(machine: AnyStateMachine, step: (scope: AnyActorScope) => T): [T, ExecutableAction[]] {
  const scope = inertScope(machine);
  const actions: ExecutableAction[] = [];
  const previous = scope.actionExecutor;
  scope.actionExecutor = (action) => {
    actions.push(action as ExecutableAction);
  };
  try {
    return [step(scope), actions];
  } finally {
    scope.actionExecutor = previous;
  }
}

/** The pure step of xstate's `transition(machine, snapshot, event)`, without its per-call actor. */
export function pureTransition<M extends AnyStateMachine>(
  machine: M,
  snapshot: SnapshotFrom<M>,
  event: EventFromLogic<M>,
): [SnapshotFrom<M>, ExecutableAction[]] {
  return collecting(machine, (scope) => machine.transition(snapshot as never, event as never, scope) as SnapshotFrom<M>);
}

/** The pure step of xstate's `initialTransition(machine, input)`, without its per-call actor. */
export function pureInitialTransition<M extends AnyStateMachine>(machine: M, input?: unknown): [SnapshotFrom<M>, ExecutableAction[]] {
  return collecting(machine, (scope) => machine.getInitialSnapshot(scope, input) as SnapshotFrom<M>);
}
