/**
 * Draws a machine graph (machine-graph.ts) as an SVG arc diagram, so the
 * inspector page shows the statecharts without loading a renderer: states in
 * a row in definition order (which follows the lifecycle), a compound state
 * as a box around its children, transitions forward as arcs above the row and
 * backward as arcs below, each arc labelled with every event that takes it.
 * Transitions that keep the state are listed under it.
 */
import { escapeHtml as esc } from './html';
import type { GraphState, MachineGraph } from './machine-graph';
import { groupEdges } from './mermaid';

const BOX_W = 118;
const BOX_H = 30;
const GAP = 56;
const PAD = 16;
const LINE = 12;
const CHAR = 6.1;

interface Placed {
  state: GraphState;
  left: number;
  right: number;
  depth: number;
}

export function renderStatechartSvg(graph: MachineGraph): string {
  const placed = place(graph);
  const byId = new Map(placed.map((p) => [p.state.id, p]));
  const maxDepth = Math.max(0, ...placed.map((p) => p.depth));
  // A compound state's transitions leave from its right edge, clear of its children's arcs.
  const anchor = (id: string, side: 'from' | 'to') => {
    const p = byId.get(id)!;
    return p.state.type === 'compound' && side === 'from' ? p.right + 10 : (p.left + p.right) / 2;
  };
  const rank = (id: string) => placed.findIndex((p) => p.state.id === id);
  const edges = groupEdges(graph.transitions);

  // Geometry relative to the row of states (y = 0 is its top), labels nudged apart.
  const taken: { x0: number; x1: number; y0: number; y1: number }[] = [];
  const free = (x0: number, x1: number, y0: number, y1: number) => !taken.some((b) => x0 < b.x1 && b.x0 < x1 && y0 < b.y1 && b.y0 < y1);
  const arcs = edges
    .filter((edge) => edge.to !== undefined && edge.to !== edge.from)
    .map((edge) => {
      const x1 = anchor(edge.from, 'from');
      const x2 = anchor(edge.to!, 'to');
      const forward = rank(edge.to!) > rank(edge.from);
      const rise = 26 + Math.abs(x2 - x1) * 0.22;
      const y = forward ? 0 : BOX_H;
      const dir = forward ? -1 : 1;
      const mid = (x1 + x2) / 2;
      const half = (Math.max(...edge.labels.map((l) => l.length)) * CHAR) / 2 + 4;
      const blockHeight = edge.labels.length * LINE;
      let top = forward ? y + dir * (rise / 2) - 4 - blockHeight : y + dir * (rise / 2) + 2;
      while (!free(mid - half, mid + half, top, top + blockHeight)) top += dir * LINE;
      taken.push({ x0: mid - half, x1: mid + half, y0: top, y1: top + blockHeight });
      return { edge, x1, x2, mid, y, dir, rise, top };
    });
  const internal = edges.filter((edge) => edge.to === undefined);
  const lowest = Math.max(BOX_H + 20, ...taken.map((b) => b.y1)) + 16;
  const highest = Math.min(-20 - maxDepth * 22, ...taken.map((b) => b.y0));
  const rowTop = PAD - highest;
  const internalRows = Math.max(0, ...internal.map((edge) => edge.labels.length));
  const width = Math.max(...placed.map((p) => p.right)) + PAD + 60;
  const height = rowTop + lowest + internalRows * LINE + PAD;
  const Y = (relative: number) => rowTop + relative;

  const parts: string[] = [
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#445"/></marker></defs>',
  ];
  // Compound states: a box around their children, outermost first.
  for (const p of placed.filter((p) => p.state.type === 'compound').sort((a, b) => a.depth - b.depth)) {
    const top = Y(-(maxDepth - p.depth) * 22);
    parts.push(
      `<rect x="${p.left - 10}" y="${top}" width="${p.right - p.left + 20}" height="${Y(BOX_H) - top + 10}" rx="10" fill="#eef3fb" stroke="#8aa4c8"/>`,
    );
    parts.push(`<text x="${p.left - 2}" y="${top + 14}" class="compound">${esc(p.state.key)}</text>`);
  }
  if (graph.initial) {
    const first = byId.get(graph.initial)!;
    const cy = Y(BOX_H / 2);
    parts.push(`<circle cx="${first.left - 22}" cy="${cy}" r="5" fill="#223"/>`);
    parts.push(`<line x1="${first.left - 17}" y1="${cy}" x2="${first.left - 1}" y2="${cy}" stroke="#445" marker-end="url(#arrow)"/>`);
  }
  for (const p of placed) {
    if (p.state.type === 'compound') continue;
    const final = p.state.type === 'final';
    parts.push(
      `<g class="state" data-state="${esc(p.state.id)}"><rect x="${p.left}" y="${Y(0)}" width="${p.right - p.left}" height="${BOX_H}" rx="8" fill="${final ? '#f4f4f6' : '#fff'}" stroke="#334" stroke-width="${final ? 3 : 1.2}"/>`,
    );
    parts.push(`<text x="${(p.left + p.right) / 2}" y="${Y(BOX_H / 2 + 4)}" text-anchor="middle">${esc(p.state.key)}</text></g>`);
  }
  for (const arc of arcs) {
    const x1 = arc.x1 + (arc.dir < 0 ? 8 : -8);
    const x2 = arc.x2 + (arc.dir < 0 ? -8 : 8);
    parts.push(
      `<path d="M${x1} ${Y(arc.y)} Q${arc.mid} ${Y(arc.y + arc.dir * arc.rise)} ${x2} ${Y(arc.y)}" fill="none" stroke="#445" stroke-width="1.1" marker-end="url(#arrow)"/>`,
    );
    arc.edge.labels.forEach((label, i) => {
      parts.push(`<text x="${arc.mid}" y="${Y(arc.top + (i + 1) * LINE - 2)}" text-anchor="middle" class="event">${esc(label)}</text>`);
    });
  }
  for (const edge of internal) {
    const p = byId.get(edge.from)!;
    edge.labels.forEach((label, i) => {
      parts.push(`<text x="${p.left}" y="${Y(lowest + i * LINE)}" class="self">↻ ${esc(label)}</text>`);
    });
  }
  return `<svg class="statechart" viewBox="0 0 ${width} ${height}" width="${width}" role="img" aria-label="${esc(graph.id)} statechart">${parts.join('')}</svg>`;
}

/** Leaves get slots left to right; a compound state spans its children. */
function place(graph: MachineGraph): Placed[] {
  const children = new Map<string | undefined, GraphState[]>();
  for (const state of graph.states) {
    const list = children.get(state.parent) ?? [];
    list.push(state);
    children.set(state.parent, list);
  }
  const placed: Placed[] = [];
  let cursor = PAD + 40;
  const visit = (state: GraphState, depth: number) => {
    const kids = children.get(state.id);
    if (!kids) {
      const width = Math.max(BOX_W, state.key.length * CHAR + 20);
      placed.push({ state, left: cursor, right: cursor + width, depth });
      cursor += width + GAP;
      return;
    }
    const entry: Placed = { state, left: cursor, right: cursor, depth };
    placed.push(entry);
    for (const kid of kids) visit(kid, depth + 1);
    entry.right = cursor - GAP;
    cursor += 20;
  };
  for (const state of children.get(undefined) ?? []) visit(state, 0);
  return placed;
}
