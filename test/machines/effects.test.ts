/**
 * The effects convention (src/machines/effects.ts): a machine names its
 * effects, the runtime's one table per class holds their bodies, typed from
 * the machine, and no effect is reachable as a method of a public object.
 */
import { describe, expect, it } from 'vitest';
import { assign, setup, type AnyStateMachine } from 'xstate';
import { effect, type EffectHandlers, type EffectParams } from '../../src/machines/effects';
import { MachineHost } from '../../src/machines/host';
import { connectionMachine } from '../../src/machines/connection';
import { socketMachine } from '../../src/machines/socket';
import { namespaceMachine } from '../../src/machines/namespace';
import { EngineSocket } from '../../src/transport/engine-socket';
import { Socket } from '../../src/actors/socket';
import { Namespace } from '../../src/actors/namespace';

const lamp = setup({
  types: { context: {} as { switched: number }, events: {} as { type: 'ON'; watts: number } | { type: 'OFF' } },
  actions: { light: effect<{ watts: number }>(), darken: effect() },
}).createMachine({
  context: { switched: 0 },
  initial: 'off',
  states: {
    off: {
      on: {
        ON: {
          target: 'on',
          actions: [assign({ switched: ({ context }) => context.switched + 1 }), { type: 'light', params: ({ event }) => ({ watts: event.watts }) }],
        },
      },
    },
    on: { on: { OFF: { target: 'off', actions: 'darken' } } },
  },
});

class Lamp {
  private static readonly effects: EffectHandlers<typeof lamp, Lamp> = {
    light({ watts }) {
      this.watts = watts;
    },
    darken() {
      this.watts = 0;
    },
  };

  watts = 0;
  readonly host = new MachineHost(lamp, Lamp.effects, undefined, this);
}

describe('effects', () => {
  it('runs the table’s bodies with `this` = each owner, from one shared table', () => {
    const kitchen = new Lamp();
    const hall = new Lamp();
    kitchen.host.send({ type: 'ON', watts: 60 });
    hall.host.send({ type: 'ON', watts: 40 });
    expect([kitchen.watts, hall.watts]).toEqual([60, 40]);
    kitchen.host.send({ type: 'OFF' });
    expect([kitchen.watts, hall.watts]).toEqual([0, 40]);
    expect(kitchen.host.currentContext.switched).toBe(1);
  });

  it('types each handler from the params the machine declares (checked by tsc)', () => {
    const watts: EffectParams<typeof lamp, 'light'> = { watts: 1 };
    // @ts-expect-error a handler is missing
    const missing: EffectHandlers<typeof lamp, Lamp> = { light() {} };
    const mistyped: EffectHandlers<typeof lamp, Lamp> = {
      // @ts-expect-error a handler takes params of another type
      light(params: { watts: string }) {
        void params;
      },
      darken() {},
    };
    const unknown: EffectHandlers<typeof lamp, Lamp> = {
      light() {},
      darken() {},
      // @ts-expect-error a handler for an effect the machine does not name
      dim() {},
    };
    const wrongOwner: EffectHandlers<typeof lamp, Lamp> = {
      light() {
        // @ts-expect-error `this` is the owner
        void this.brightness;
      },
      darken() {},
    };
    expect([watts, missing, mistyped, unknown, wrongOwner]).toHaveLength(5);
  });

  it('a machine declares effects only: the machine’s own context changes are inline assigns', () => {
    for (const machine of [connectionMachine, socketMachine, namespaceMachine] as AnyStateMachine[]) {
      const declared = Object.values(machine.implementations.actions);
      expect(new Set(declared)).toEqual(new Set([effect()]));
    }
  });

  it('no effect is a method of the public objects that perform it', () => {
    const runtimes: [AnyStateMachine, object][] = [
      [connectionMachine, EngineSocket.prototype],
      [socketMachine, Socket.prototype],
      [namespaceMachine, Namespace.prototype],
    ];
    for (const [machine, prototype] of runtimes) {
      for (const name of Object.keys(machine.implementations.actions)) expect(name in prototype, `${machine.id}: ${name}`).toBe(false);
    }
    // The former trampolines and the timer's entry point are gone too.
    for (const name of ['sendControl', 'timeoutConnect']) expect(name in EngineSocket.prototype || name in Socket.prototype, name).toBe(false);
  });
});
