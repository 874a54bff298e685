/**
 * Steps that do not depend on anything per object, computed once and shared
 * by every host of a machine: the initial step for an input of the same
 * values (or none), and a step by an event that carries nothing but its type
 * from a context object hosts share (the initial one, until an `assign`
 * replaces it).
 * A step is a pure function of (machine, state, context, event), so reusing
 * it is exact; it spares xstate's macrostep on every socket's connect.
 */
import type { AnyMachineSnapshot, AnyStateMachine, StateValue } from 'xstate';
import type { ExecutableAction } from './pure-step';

/** One resolved step: the state it leads to and the actions to perform. */
export interface Step {
  value: StateValue;
  context: any;
  actions: ExecutableAction[];
}

/** Initial steps by machine, then by input (`inputKey`). */
export const initialSteps = new WeakMap<AnyStateMachine, Map<string, Step>>();
/** Steps by shared context, then by state and event type. */
export const sharedSteps = new WeakMap<object, Map<string, Step>>();
/** Context objects every host may hold at once: those of shared steps. */
export const sharedContexts = new WeakSet<object>();
/** Resolved snapshots of shared contexts, by state. */
export const sharedSnapshots = new WeakMap<object, Map<string, AnyMachineSnapshot>>();

export function share(step: Step): Step {
  if (typeof step.context === 'object' && step.context !== null) sharedContexts.add(step.context);
  return step;
}

/**
 * A key equal for inputs of equal values, or undefined when the input is not
 * a flat record of primitives and arrays of them (its step is then computed
 * per host). Hosts that share an input treat it as immutable, as xstate does.
 */
export function inputKey(input: unknown): string | undefined {
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

export function isBareEvent(event: { type: string }): boolean {
  for (const key in event) if (key !== 'type') return false;
  return true;
}
