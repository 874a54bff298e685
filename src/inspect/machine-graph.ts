/**
 * Reads an xstate v5 machine definition (its `root` state node) into a plain
 * graph: states with their nesting, and transitions with their event and
 * guard. The Mermaid text and the inspector's statechart drawing are both
 * made from it, so neither is ever written by hand or drifts from the
 * machines in src/machines.
 */
import type { AnyStateMachine } from 'xstate';

export interface GraphState {
  /** Full id, e.g. "connection.open.polling". */
  id: string;
  /** Name within its parent, e.g. "polling". */
  key: string;
  /** Id of the compound state it is in; undefined at the top level. */
  parent?: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** Id of the child entered first, for compound states. */
  initial?: string;
}

export interface GraphTransition {
  from: string;
  /** Undefined for a transition that runs actions without changing state. */
  to?: string;
  event: string;
  guard?: string;
}

export interface MachineGraph {
  id: string;
  /** Id of the top-level initial state. */
  initial?: string;
  /** Every state except the root, parents before their children. */
  states: GraphState[];
  transitions: GraphTransition[];
}

/** The slice of xstate's StateNode this reads (public fields of v5). */
interface NodeLike {
  id: string;
  key: string;
  type: GraphState['type'];
  states: Record<string, NodeLike>;
  initial?: { target: readonly NodeLike[] };
  transitions: Map<string, readonly TransitionLike[]>;
  always?: readonly TransitionLike[];
}

interface TransitionLike {
  target?: readonly NodeLike[];
  guard?: unknown;
}

export function describeMachine(machine: AnyStateMachine): MachineGraph {
  const root = machine.root as unknown as NodeLike;
  const graph: MachineGraph = { id: root.id, initial: root.initial?.target[0]?.id, states: [], transitions: [] };
  const visit = (node: NodeLike, parent: string | undefined) => {
    if (parent !== undefined || node !== root) {
      graph.states.push({
        id: node.id,
        key: node.key,
        ...(parent !== undefined && { parent }),
        type: node.type,
        ...(node.initial?.target[0] && { initial: node.initial.target[0].id }),
      });
    }
    for (const [event, transitions] of node.transitions) addTransitions(graph, node, event, transitions);
    if (node.always) addTransitions(graph, node, 'always', node.always);
    for (const child of Object.values(node.states)) visit(child, node === root ? undefined : node.id);
  };
  visit(root, undefined);
  return graph;
}

function addTransitions(graph: MachineGraph, node: NodeLike, event: string, transitions: readonly TransitionLike[]): void {
  for (const transition of transitions) {
    const guard = guardName(transition.guard);
    const targets = transition.target && transition.target.length > 0 ? transition.target : [undefined];
    for (const target of targets) {
      graph.transitions.push({ from: node.id, ...(target && { to: target.id }), event, ...(guard && { guard }) });
    }
  }
}

/** Guards are named in src/machines; an inline function shows as its name or "guard". */
function guardName(guard: unknown): string | undefined {
  if (guard === undefined || guard === null) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') return guard.name || 'guard';
  if (typeof guard === 'object' && typeof (guard as { type?: unknown }).type === 'string') return (guard as { type: string }).type;
  return 'guard';
}
