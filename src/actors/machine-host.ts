/**
 * A lean host for the pure machines of src/machines.
 *
 * xstate's `createActor` costs a few KB and several µs per event; a server
 * holds one machine per connection and per socket, so instead we keep only the
 * machine's snapshot and advance it with xstate's pure `transition`. The host
 * performs the named actions the machine returns (timers, writes, log appends)
 * through the handlers the runtime supplies, and tells observers about every
 * state change. It is the actor: one mailbox (events are processed one at a
 * time, in order), one state, effects only through named actions.
 */
import { createActor, type AnyActorScope, type AnyMachineSnapshot, type AnyStateMachine, type ContextFrom, type EventFromLogic, type SnapshotFrom, type StateValue } from 'xstate';

type ExecutableAction = { type: string; params: unknown };

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
    scope = { self, defer() {}, id: '', logger() {}, sessionId: '', stopChild() {}, system: self.system, emit() {}, actionExecutor() {} } as unknown as AnyActorScope;
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
export function pureTransition<M extends AnyStateMachine>(machine: M, snapshot: SnapshotFrom<M>, event: EventFromLogic<M>): [SnapshotFrom<M>, ExecutableAction[]] {
  return collecting(machine, (scope) => machine.transition(snapshot as never, event as never, scope) as SnapshotFrom<M>);
}

/** The pure step of xstate's `initialTransition(machine, input)`, without its per-call actor. */
export function pureInitialTransition<M extends AnyStateMachine>(machine: M, input?: unknown): [SnapshotFrom<M>, ExecutableAction[]] {
  return collecting(machine, (scope) => machine.getInitialSnapshot(scope, input) as SnapshotFrom<M>);
}

/**
 * Runs a named action the machine asked for; `params` are the action's
 * resolved params. `this` is the host's owner when one was given, so one
 * shared handler table serves every instance (no closures per object).
 */
export type ActionHandler<E> = (this: any, params: any, event: E) => void;

/** Called with `this` = the host's owner, like the action handlers. */
export type StateListener<M extends AnyStateMachine> = (
  this: any,
  snapshot: SnapshotFrom<M>,
  previous: SnapshotFrom<M>,
  event: EventFromLogic<M>,
) => void;

/** One resolved step: the state it leads to and the actions to perform. */
interface Step {
  value: StateValue;
  context: any;
  actions: ExecutableAction[];
}

/**
 * Steps that do not depend on anything per object, computed once and shared
 * by every host of a machine: the initial step for an input of the same
 * values (or none), and a step by an event that carries nothing but its type
 * from a context object hosts share (the initial one, until an `assign`
 * replaces it).
 * A step is a pure function of (machine, state, context, event), so reusing
 * it is exact; it spares xstate's macrostep on every socket's connect.
 */
const initialSteps = new WeakMap<AnyStateMachine, Map<string, Step>>();
const sharedSteps = new WeakMap<object, Map<string, Step>>();
/** Context objects every host may hold at once: those of shared steps. */
const sharedContexts = new WeakSet<object>();
/** Resolved snapshots of shared contexts, by state. */
const sharedSnapshots = new WeakMap<object, Map<string, AnyMachineSnapshot>>();

function share(step: Step): Step {
  if (typeof step.context === 'object' && step.context !== null) sharedContexts.add(step.context);
  return step;
}

/**
 * A key equal for inputs of equal values, or undefined when the input is not
 * a flat record of primitives and arrays of them (its step is then computed
 * per host). Hosts that share an input treat it as immutable, as xstate does.
 */
function inputKey(input: unknown): string | undefined {
  if (input === undefined) return '';
  if (typeof input !== 'object' || input === null) return undefined;
  let key = '';
  for (const [name, value] of Object.entries(input)) {
    const part = primitiveKey(value) ?? (Array.isArray(value) ? arrayKey(value) : undefined);
    if (part === undefined) return undefined;
    key += `${name}=${part}\u0000`;
  }
  return key;
}

function primitiveKey(value: unknown): string | undefined {
  const type = typeof value;
  if (value === null || type === 'string' || type === 'number' || type === 'boolean' || type === 'undefined') return `${type}:${String(value)}`;
  return undefined;
}

function arrayKey(values: unknown[]): string | undefined {
  const parts: string[] = [];
  for (const value of values) {
    const part = primitiveKey(value);
    if (part === undefined) return undefined;
    parts.push(JSON.stringify(part));
  }
  return `[${parts.join(',')}]`;
}

function isBareEvent(event: { type: string }): boolean {
  for (const key in event) if (key !== 'type') return false;
  return true;
}

export class MachineHost<M extends AnyStateMachine> {
  /**
   * Only the state value and context are kept (~280 B instead of a ~730 B
   * snapshot per object); the full snapshot is resolved when a step or a
   * reader needs it. The machines here use no history, children or tags,
   * which a resolved snapshot would not carry.
   */
  private value: StateValue;
  private context: ContextFrom<M>;
  private queue: EventFromLogic<M>[] | undefined;
  private processing = false;
  private listener: StateListener<M> | undefined;

  constructor(
    private readonly machine: M,
    private readonly handlers: Partial<Record<string, ActionHandler<EventFromLogic<M>>>>,
    input?: unknown,
    private readonly owner?: unknown,
  ) {
    const key = inputKey(input);
    let known = initialSteps.get(machine);
    let initial = key === undefined ? undefined : known?.get(key);
    if (!initial) {
      const [snapshot, actions] = pureInitialTransition(machine, input);
      initial = { value: (snapshot as AnyMachineSnapshot).value, context: (snapshot as AnyMachineSnapshot).context, actions };
      if (key !== undefined) {
        if (!known) initialSteps.set(machine, (known = new Map()));
        known.set(key, share(initial));
      }
    }
    this.value = initial.value;
    this.context = initial.context;
    this.perform(initial.actions, { type: 'xstate.init' } as EventFromLogic<M>);
  }

  /** The current snapshot, resolved on demand (prefer `state` and `currentContext` on hot paths). */
  get snapshot(): SnapshotFrom<M> {
    if (!sharedContexts.has(this.context as object)) return this.resolve();
    // Snapshots are immutable: one resolution serves every host in a shared state.
    let byValue = sharedSnapshots.get(this.context as object);
    if (!byValue) sharedSnapshots.set(this.context as object, (byValue = new Map()));
    const key = flattenStateValue(this.value);
    let snapshot = byValue.get(key);
    if (!snapshot) byValue.set(key, (snapshot = this.resolve()));
    return snapshot as SnapshotFrom<M>;
  }

  private resolve(): SnapshotFrom<M> {
    return this.machine.resolveState({ value: this.value, context: this.context }) as SnapshotFrom<M>;
  }

  get currentContext(): ContextFrom<M> {
    return this.context;
  }

  /** The current state as a dotted string, e.g. "open.polling". */
  get state(): string {
    return flattenStateValue(this.value);
  }

  /** One observer per host (the runtime's recorder); keeps memory per actor flat. */
  onTransition(listener: StateListener<M>): void {
    this.listener = listener;
  }

  matches(value: string): boolean {
    return (this.snapshot as any).matches(value);
  }

  /**
   * Delivers an event. Events sent from inside an action handler are queued
   * and processed after the current one, so transitions never interleave.
   */
  send(event: EventFromLogic<M>): void {
    if (this.processing) {
      (this.queue ??= []).push(event);
      return;
    }
    this.processing = true;
    try {
      this.step(event);
      let next: EventFromLogic<M> | undefined;
      while ((next = this.queue?.shift()) !== undefined) this.step(next);
    } finally {
      this.processing = false;
      this.queue = undefined;
    }
  }

  private step(event: EventFromLogic<M>): void {
    const shareable = sharedContexts.has(this.context as object) && isBareEvent(event);
    const key = shareable ? `${flattenStateValue(this.value)}\u0000${event.type}` : '';
    let steps = shareable ? sharedSteps.get(this.context as object) : undefined;
    let next = steps?.get(key);
    // Resolved only when needed: to run xstate's step, or for the listener.
    const previous = next && !this.listener ? undefined : this.snapshot;
    let snapshot: SnapshotFrom<M> | undefined;
    if (!next) {
      const [resolved, actions] = pureTransition(this.machine, previous!, event);
      snapshot = resolved;
      next = { value: (resolved as AnyMachineSnapshot).value, context: (resolved as AnyMachineSnapshot).context, actions };
      if (shareable) {
        if (!steps) sharedSteps.set(this.context as object, (steps = new Map()));
        steps.set(key, share(next));
      }
    }
    const before = this.value;
    this.value = next.value;
    this.context = next.context;
    if (this.listener && changed(before, next.value)) {
      this.listener.call(this.owner, snapshot ?? this.snapshot, previous!, event);
    }
    this.perform(next.actions, event);
  }

  private perform(actions: ExecutableAction[], event: EventFromLogic<M>): void {
    for (const action of actions) {
      const handler = this.handlers[action.type];
      if (handler) handler.call(this.owner, action.params, event);
    }
  }
}

function changed(before: unknown, after: unknown): boolean {
  if (before === after) return false;
  return typeof before === 'string' || typeof after === 'string' || flattenStateValue(before) !== flattenStateValue(after);
}

export function flattenStateValue(value: unknown): string {
  if (typeof value === 'string') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '';
  const [key, child] = entries[0];
  const rest = flattenStateValue(child);
  return rest ? `${key}.${rest}` : key;
}
