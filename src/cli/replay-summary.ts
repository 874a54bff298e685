/**
 * `iostate replay --summary`: the connections of a log counted by how they
 * ended (reason), transport, protocol, node and the minute they ended, each
 * with its top evidence: for a reason, the explanations it came with (times
 * left out, so that alike ones count together), for the others, the reasons.
 * It also says when each node started. Memory holds the counts, never the
 * connections: the distinct values a row keeps are capped.
 */
import { clock, isoTime } from '../log/clock';
import type { ConnectionStory } from '../log/replay-stream';
import { visible } from '../inspect/visible-text';
import { endingOf } from './replay-filter';

/** Distinct values one tally keeps; later ones count as "(other)". */
const MAX_DISTINCT = 1000;
/** How many entries of evidence each row shows. */
const TOP_EVIDENCE = 3;
/** Evidence is cut to this many characters. */
const MAX_EVIDENCE_CHARS = 200;
/** Starts remembered per node. */
const MAX_STARTS = 20;

const OTHER = '(other)';

/** Counts of values, with a capped number of distinct ones. */
class Counter {
  readonly counts = new Map<string, number>();

  add(value: string): void {
    const key = this.counts.has(value) || this.counts.size < MAX_DISTINCT ? value : OTHER;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  top(n: number): [string, number][] {
    return [...this.counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
  }
}

interface Row {
  count: number;
  evidence: Counter;
  /** One connection of the row, to replay with --sid. */
  example: string;
}

/** One dimension: its values, each with its count and evidence. */
class Tally {
  private readonly rows = new Map<string, Row>();

  add(value: string, evidence: string, example: string): void {
    const key = this.rows.has(value) || this.rows.size < MAX_DISTINCT ? value : OTHER;
    let row = this.rows.get(key);
    if (!row) this.rows.set(key, (row = { count: 0, evidence: new Counter(), example }));
    row.count++;
    row.evidence.add(evidence);
  }

  top(n: number): [string, Row][] {
    return [...this.rows].sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1)).slice(0, n);
  }

  get size(): number {
    return this.rows.size;
  }
}

/** The evidence of an explanation, with times and the connection id left out so that alike ones count together. */
function evidenceOf(story: ConnectionStory<unknown>): string {
  const { explanation, reason, id } = story.connection;
  if (explanation === undefined) return story.connection.state === 'open' ? 'still open' : 'no explanation';
  const text = explanation
    .slice(reason !== undefined && explanation.startsWith(`${reason}: `) ? reason.length + 2 : 0)
    .replace(/\d{2}:\d{2}:\d{2}\.\d{3}/g, '…')
    .split(id)
    .join('…');
  return text.length > MAX_EVIDENCE_CHARS ? `${text.slice(0, MAX_EVIDENCE_CHARS)}…` : text;
}

export interface SummaryRowJson {
  value: string;
  count: number;
  example: string;
  top: { value: string; count: number }[];
}

export class ReplaySummary {
  connections = 0;
  open = 0;
  sockets = 0;
  private readonly byReason = new Tally();
  private readonly byTransport = new Tally();
  private readonly byProtocol = new Tally();
  private readonly byNode = new Tally();
  private readonly byMinute = new Tally();
  private readonly starts = new Map<string, number[]>();

  add(story: ConnectionStory<unknown>): void {
    const c = story.connection;
    const ending = endingOf(story);
    this.connections++;
    if (c.state === 'open' || c.state === 'upgrading') this.open++;
    this.sockets += story.sockets.length;
    this.byReason.add(ending, evidenceOf(story), c.id);
    this.byTransport.add(c.transports.join(' → '), ending, c.id);
    this.byProtocol.add(`Engine.IO v${c.protocol}`, ending, c.id);
    this.byNode.add(c.node, ending, c.id);
    if (c.closedAt !== undefined) this.byMinute.add(isoTime(c.closedAt).slice(0, 16).replace('T', ' '), `${ending} on ${c.node}`, c.id);
  }

  /** A node's `server.start`: a node that starts again lost its open connections. */
  started(node: string, ts: number): void {
    let list = this.starts.get(node);
    if (!list) {
      if (this.starts.size >= MAX_DISTINCT) return;
      this.starts.set(node, (list = []));
    }
    if (list.length < MAX_STARTS) list.push(ts);
  }

  /** Each dimension with its title; under a reason its evidence, under the others the reasons. */
  private sections(): [string, Tally][] {
    return [
      ['By reason, with the evidence', this.byReason],
      ['By transport, with the reasons', this.byTransport],
      ['By protocol, with the reasons', this.byProtocol],
      ['By node, with the reasons', this.byNode],
      ['By minute they ended (UTC), with the reasons and nodes', this.byMinute],
    ];
  }

  format(limit: number): string {
    const out = [
      `${this.connections} connection${this.connections === 1 ? '' : 's'} (${this.open} open), ${this.sockets} socket${this.sockets === 1 ? '' : 's'}`,
    ];
    if (this.starts.size > 0) {
      out.push('', 'Nodes');
      for (const [node, times] of this.starts) {
        const again = times.length > 1 ? `, started again ${times.slice(1).map(clock).join(', ')} (its open connections lost)` : '';
        out.push(`  ${node}  started ${clock(times[0]!)}${again}`);
      }
    }
    const width = (tally: Tally) => Math.max(0, ...tally.top(limit).map(([value]) => value.length));
    for (const [title, tally] of this.sections()) {
      if (tally.size === 0) continue;
      out.push('', title);
      const pad = width(tally);
      for (const [value, row] of tally.top(limit)) {
        out.push(`  ${value.padEnd(pad)}  ${String(row.count).padStart(7)}  e.g. --sid ${row.example}`);
        for (const [evidence, count] of row.evidence.top(TOP_EVIDENCE)) out.push(`      ${String(count).padStart(7)}  ${evidence}`);
      }
      if (tally.size > limit) out.push(`  … and ${tally.size - limit} more`);
    }
    return out.map(visible).join('\n') + '\n';
  }

  json(limit: number): Record<string, unknown> {
    const rows = (tally: Tally): SummaryRowJson[] =>
      tally.top(limit).map(([value, row]) => ({
        value,
        count: row.count,
        example: row.example,
        top: row.evidence.top(TOP_EVIDENCE).map(([v, count]) => ({ value: v, count })),
      }));
    return {
      connections: this.connections,
      open: this.open,
      sockets: this.sockets,
      starts: Object.fromEntries([...this.starts].map(([node, times]) => [node, times.map(isoTime)])),
      byReason: rows(this.byReason),
      byTransport: rows(this.byTransport),
      byProtocol: rows(this.byProtocol),
      byNode: rows(this.byNode),
      byMinute: rows(this.byMinute),
    };
  }
}
