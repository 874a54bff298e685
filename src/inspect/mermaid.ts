/**
 * Mermaid `stateDiagram-v2` text for the lifecycle machines, generated from
 * their xstate definitions (machine-graph.ts). Paste it into any Mermaid
 * renderer; the inspector serves it at `<path>/machines`.
 */
import type { AnyStateMachine } from 'xstate';
import { connectionMachine } from '../machines/connection';
import { namespaceMachine } from '../machines/namespace';
import { socketMachine } from '../machines/socket';
import { describeMachine, type GraphState, type GraphTransition, type MachineGraph } from './machine-graph';

/** The machines of src/machines, by the name the inspector shows. */
export const LIFECYCLE_MACHINES: Readonly<Record<string, AnyStateMachine>> = {
  connection: connectionMachine,
  socket: socketMachine,
  namespace: namespaceMachine,
};

export function machineToMermaid(machine: AnyStateMachine): string {
  return graphToMermaid(describeMachine(machine));
}

/** Every lifecycle machine, each diagram under a `%%` comment naming it. */
export function lifecycleMermaid(): string {
  return Object.entries(LIFECYCLE_MACHINES)
    .map(([name, machine]) => `%% ${name} machine (src/machines/${name}.ts)\n${machineToMermaid(machine)}`)
    .join('\n\n');
}

export function graphToMermaid(graph: MachineGraph): string {
  const lines = ['stateDiagram-v2'];
  const children = new Map<string | undefined, GraphState[]>();
  for (const state of graph.states) {
    const list = children.get(state.parent) ?? [];
    list.push(state);
    children.set(state.parent, list);
  }
  const declare = (parent: string | undefined, indent: string) => {
    for (const state of children.get(parent) ?? []) {
      const nested = children.get(state.id);
      if (nested) {
        lines.push(`${indent}state "${state.key}" as ${mermaidId(state.id)} {`);
        if (state.initial) lines.push(`${indent}  [*] --> ${mermaidId(state.initial)}`);
        declare(state.id, `${indent}  `);
        lines.push(`${indent}}`);
      } else {
        lines.push(`${indent}state "${state.key}" as ${mermaidId(state.id)}`);
      }
    }
  };
  declare(undefined, '  ');
  if (graph.initial) lines.push(`  [*] --> ${mermaidId(graph.initial)}`);

  const internal = new Map<string, string[]>();
  for (const edge of groupEdges(graph.transitions)) {
    if (edge.to === undefined) internal.set(edge.from, edge.labels);
    else lines.push(`  ${mermaidId(edge.from)} --> ${mermaidId(edge.to)} : ${edge.labels.join(', ')}`);
  }
  for (const state of graph.states) {
    if (state.type === 'final') lines.push(`  ${mermaidId(state.id)} --> [*]`);
  }
  // Transitions that keep the state (a heartbeat answered) are listed in a note beside it.
  for (const [from, labels] of internal) {
    lines.push(`  note right of ${mermaidId(from)}`, ...labels.map((label) => `    on ${label}`), '  end note');
  }
  return lines.join('\n');
}

export interface GraphEdge {
  from: string;
  to?: string;
  /** One label per transition between the two states, e.g. "OPENED [viaWebSocket]". */
  labels: string[];
}

/** Transitions between the same two states drawn as one edge carrying every label. */
export function groupEdges(transitions: readonly GraphTransition[]): GraphEdge[] {
  const edges = new Map<string, GraphEdge>();
  for (const transition of transitions) {
    const key = `${transition.from}\u0000${transition.to ?? ''}`;
    let edge = edges.get(key);
    if (!edge) {
      edge = { from: transition.from, ...(transition.to !== undefined && { to: transition.to }), labels: [] };
      edges.set(key, edge);
    }
    edge.labels.push(transitionLabel(transition));
  }
  return [...edges.values()];
}

export function transitionLabel(transition: GraphTransition): string {
  return transition.guard ? `${transition.event} [${transition.guard}]` : transition.event;
}

function mermaidId(stateId: string): string {
  return stateId.replace(/[^A-Za-z0-9_]/g, '_');
}
