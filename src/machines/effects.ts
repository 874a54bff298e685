/**
 * The one convention for machine effects.
 *
 * A machine names its effects in `setup({ actions })` with `effect<Params>()`
 * and changes its own context with inline `assign`s only, so every named
 * action is an effect the runtime performs. The runtime holds the bodies in
 * one table per class, typed `EffectHandlers<typeof machine, Owner>`: a
 * missing, extra or mistyped handler fails to compile, and the table is
 * shared by every instance (`this` is the instance; no closures per object).
 */
import type { AnyStateMachine, EventFromLogic, StateMachine } from 'xstate';

/** The named actions a machine declares, as xstate's `{ type, params }` union. */
type NamedActions<M> = M extends StateMachine<any, any, any, any, infer A, any, any, any, any, any, any, any, any, any, any> ? A : never;

/** The params a machine's effect `K` is performed with. */
export type EffectParams<M extends AnyStateMachine, K extends string> = Extract<NamedActions<M>, { type: K }>['params'];

/** The bodies of every effect a machine names; `this` is the object the machine belongs to. */
export type EffectHandlers<M extends AnyStateMachine, Owner> = {
  [A in NamedActions<M> as A['type']]: (this: Owner, params: A['params'], event: EventFromLogic<M>) => void;
};

/**
 * Declares an effect in `setup({ actions })`: the machine only names it (and
 * types its params); the runtime's handler is the body.
 */
export function effect<Params = undefined>(): (args: unknown, params: Params) => void {
  return performedByTheRuntime;
}

function performedByTheRuntime(): void {}
