/**
 * The human output of `iostate replay`: the state at the replayed time
 * (rooms, connections, sockets), then each connection's timeline with the
 * explanation of how it ended. Runs of heartbeats collapse into one line.
 * Every line goes out through `visible`: the names, reasons and messages in
 * it were chosen by clients and must not drive the terminal.
 */
import { clock, isoTime } from '../log/clock';
import type { ConnectionReport, ReplayResult, SocketReport, TimelineEntry } from '../log/replay';
import { visible } from '../inspect/visible-text';

const INDENT = '    ';

export function formatReplay(result: ReplayResult, options: { files: string[]; showRooms: boolean }): string {
  const out: string[] = [];
  out.push(`Replayed ${result.folded} event${result.folded === 1 ? '' : 's'} from ${options.files.join(', ')}`);
  out.push(result.at === undefined ? 'State at the end of the log' : `State at ${isoTime(result.at)}`);
  if (result.server.length > 0) {
    out.push('', 'Server');
    for (const entry of result.server) out.push(`  ${clock(entry.ts)}  ${entry.text}${entry.node ? ` (${entry.node})` : ''}`);
  }
  if (options.showRooms) out.push('', ...formatRooms(result));
  out.push('', `Connections (${result.connections.length})`);
  for (const connection of result.connections) out.push(...formatConnection(connection, result.sockets));
  const orphans = result.sockets.filter((s) => !result.connections.some((c) => c.id === s.connection));
  if (orphans.length > 0) {
    out.push('', `Sockets without a recorded connection (${orphans.length})`);
    for (const socket of orphans) out.push(...formatSocket(socket, '  '));
  }
  return out.map(visible).join('\n') + '\n';
}

function formatRooms(result: ReplayResult): string[] {
  const rooms = result.projections.rooms;
  const lines = ['Rooms'];
  for (const nsp of rooms.namespaces()) {
    const names = [...rooms.roomNames(nsp)];
    if (names.length === 0) continue;
    lines.push(`  ${nsp}`);
    for (const name of names) lines.push(`${INDENT}${name}: ${[...(rooms.membersOf(nsp, name) ?? [])].join(', ')}`);
  }
  if (lines.length === 1) lines.push('  (none)');
  return lines;
}

function span(from: number, to: number | undefined): string {
  return to === undefined ? `since ${clock(from)}` : `${clock(from)} – ${clock(to)}`;
}

function formatConnection(c: ConnectionReport, sockets: readonly SocketReport[]): string[] {
  const lines = [
    '',
    `  ${c.id}${c.label !== undefined ? `  "${c.label}"` : ''}  ${c.state}  ${c.transports.join(' → ')}  Engine.IO v${c.protocol}  from ${c.remoteAddress}  ${span(c.openedAt, c.closedAt)}  on ${c.node}`,
  ];
  if (c.explanation !== undefined) lines.push(`${INDENT}${c.explanation}`);
  for (const socket of sockets.filter((s) => s.connection === c.id)) lines.push(...formatSocket(socket, INDENT));
  lines.push(`${INDENT}timeline:`);
  for (const line of collapseHeartbeats(c.timeline)) lines.push(`${INDENT}  ${line}`);
  return lines;
}

function formatSocket(s: SocketReport, indent: string): string[] {
  const rooms = s.rooms.length > 0 ? `  rooms: ${s.rooms.join(', ')}` : '';
  const label = s.label !== undefined ? `  "${s.label}"` : '';
  const lines = [`${indent}socket ${s.id} on ${s.nsp}${label}  ${s.state}  ${span(s.connectedAt, s.disconnectedAt)}${rooms}`];
  if (s.explanation !== undefined) lines.push(`${indent}  ${s.explanation}`);
  return lines;
}

/** One line per entry, except consecutive heartbeats, which become "N heartbeats … last …". */
function collapseHeartbeats(timeline: readonly TimelineEntry[]): string[] {
  const lines: string[] = [];
  let run: TimelineEntry[] = [];
  const flush = () => {
    if (run.length > 2) {
      const first = run[0]!;
      const last = run[run.length - 1]!;
      lines.push(`${clock(first.ts)} … ${clock(last.ts)}  ${run.length} heartbeats, the last: ${last.text}`);
    } else {
      for (const entry of run) lines.push(`${clock(entry.ts)}  ${entry.text}`);
    }
    run = [];
  };
  for (const entry of timeline) {
    if (entry.type === 'conn.heartbeat') {
      run.push(entry);
      continue;
    }
    flush();
    lines.push(`${clock(entry.ts)}  ${entry.text}`);
  }
  flush();
  return lines;
}
