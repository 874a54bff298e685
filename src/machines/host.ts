/**
 * A lean host for the pure machines of this folder.
 *
 * xstate's `createActor` costs a few KB and several µs per event; a server
 * holds one machine per connection and per socket, so instead we keep only the
 * machine's snapshot and advance it with xstate's pure `transition`. The host
 * performs the named actions the machine returns (timers, writes, log appends)
 * through the handlers the runtime supplies, and tells observers about every
 * state change. It is the actor: one mailbox (events are processed one at a
 * time, in order), one state, effects only through named actions.
 */
import type { AnyMachineSnapshot, AnyStateMachine, ContextFrom, EventFromLogic, SnapshotFrom, StateValue } from 'xstate';
import { pureInitialTransition, pureTransition, type ExecutableAction } from './pure-step';
import type { EffectHandlers } from './effects';
import { initialSteps, inputKey, isBareEvent, share, sharedContexts, sharedSnapshots, sharedSteps } from './step-cache';

/** Called with `this` = the host's owner, like the action handlers. */
export type StateListener<M extends AnyStateMachine> = (this: any, snapshot: SnapshotFrom<M>, previous: SnapshotFrom<M>, event: EventFromLogic<M>) => void;

export class MachineHost<M extends AnyStateMachine, Owner = any> {
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
    /**
     * The bodies of the machine's effects (effects.ts), run with `this` = `owner`:
     * one table shared by every instance, no closures per object.
     */
    private readonly handlers: EffectHandlers<M, Owner>,
    input?: unknown,
    private readonly owner?: Owner,
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
      // xstate's built-in actions that execute (raise, cancel...) have no handler here.
      const handler = (this.handlers as Record<string, Handler | undefined>)[action.type];
      if (handler) handler.call(this.owner, action.params, event);
    }
  }
}

type Handler = (this: unknown, params: unknown, event: unknown) => void;

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
