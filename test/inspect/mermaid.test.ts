import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { describeMachine } from '../../src/inspect/machine-graph';
import { LIFECYCLE_MACHINES, machineToMermaid } from '../../src/inspect/mermaid';
import { renderStatechartSvg } from '../../src/inspect/statechart-svg';

/** Every state key of a machine, walked from its config (not from the graph under test). */
function stateKeys(config: { states?: Record<string, unknown> }, prefix: string): string[] {
  return Object.entries(config.states ?? {}).flatMap(([key, child]) => [`${prefix}.${key}`, ...stateKeys(child as typeof config, `${prefix}.${key}`)]);
}

/** Every event named in a machine's config `on` blocks. */
function eventNames(config: { on?: Record<string, unknown>; states?: Record<string, unknown> }): string[] {
  return [...Object.keys(config.on ?? {}), ...Object.values(config.states ?? {}).flatMap((child) => eventNames(child as typeof config))];
}

describe.each(Object.entries(LIFECYCLE_MACHINES))('%s machine', (_name, machine: AnyStateMachine) => {
  const mermaid = machineToMermaid(machine);
  const config = machine.config as { id: string; states?: Record<string, unknown> };

  it('declares every state in the Mermaid text', () => {
    const keys = stateKeys(config, config.id);
    expect(keys.length).toBeGreaterThan(1);
    for (const id of keys) {
      const key = id.split('.').pop()!;
      expect(mermaid).toContain(`state "${key}" as ${id.replace(/\./g, '_')}`);
    }
    expect(mermaid.startsWith('stateDiagram-v2\n')).toBe(true);
  });

  it('names every event of the definition', () => {
    for (const event of eventNames(config)) expect(mermaid).toContain(event);
  });

  it('draws every leaf state in the SVG', () => {
    const graph = describeMachine(machine);
    const svg = renderStatechartSvg(graph);
    for (const state of graph.states.filter((s) => s.type !== 'compound')) expect(svg).toContain(`data-state="${state.id}"`);
  });
});

describe('connection machine graph', () => {
  it('keeps guards and targets, and marks the final state', () => {
    const graph = describeMachine(LIFECYCLE_MACHINES.connection!);
    expect(graph.initial).toBe('connection.handshaking');
    expect(graph.transitions).toContainEqual({ from: 'connection.handshaking', to: 'connection.open.websocket', event: 'OPENED', guard: 'viaWebSocket' });
    expect(graph.transitions).toContainEqual({ from: 'connection.open', event: 'HEARTBEAT_DUE', guard: 'canPing' });
    expect(graph.states.find((s) => s.id === 'connection.closed')?.type).toBe('final');
    expect(machineToMermaid(LIFECYCLE_MACHINES.connection!)).toContain('connection_closed --> [*]');
  });
});
