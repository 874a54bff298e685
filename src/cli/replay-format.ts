/**
 * The human output of `iostate replay`, one piece at a time as the replay
 * streams: a server event as one line, each connection as a block (its
 * line, its explanation, its sockets, its timeline), then the rooms and a
 * closing line. Runs of heartbeats collapse into one line. Every line goes
 * out through `visible`: the names, reasons and messages in it were chosen
 * by clients and must not drive the terminal.
 */
import { clock, isoTime } from '../log/clock';
import type { ConnectionStory } from '../log/replay-stream';
import type { SocketReport, TimelineEntry } from '../log/report';
import type { RoomsView } from '../log/projections';
import { visibleLines } from '../inspect/visible-text';
import { ARROW, DASH, ELLIPSIS, typeset } from './typeset';

const INDENT = '    ';

/** The lines as one block, each unsafe character shown (one pass over the block, not one per line). */
const lines = (list: string[]) => visibleLines(list.join('\n') + '\n');

/** One string from the log, escaped (line feeds kept, as `lines` keeps them). */
const v = visibleLines;

export function formatHeader(files: string[], at: number | undefined): string {
  const when = at === undefined ? 'the end of the log' : isoTime(at);
  return lines([`Replaying ${files.join(', ')}: each connection as it ends, then those still open at ${when}`]);
}

export function formatServerEntry(entry: TimelineEntry): string {
  return lines([`  ${clock(entry.ts)}  ${entry.text}${entry.node ? ` (${entry.node})` : ''}`]);
}

export function formatOpenHeading(at: number | undefined): string {
  return lines(['', `Open at ${at === undefined ? 'the end of the log' : isoTime(at)}`]);
}

function span(from: number, to: number | undefined): string {
  return to === undefined ? `since ${clock(from)}` : `${clock(from)} ${DASH} ${clock(to)}`;
}

/**
 * A connection's block, with the stand-ins of typeset.ts. Each string from
 * the log is escaped on its own, not the block as a whole: escaping works
 * character by character, so the text is the same, and the stand-ins the
 * block adds stay as they are.
 */
export function storyBlock({ connection: c, sockets }: ConnectionStory): string {
  let out = `\n  ${v(c.id)}${c.label !== undefined ? `  "${v(c.label)}"` : ''}  ${v(c.state)}  ${c.transports.map(v).join(` ${ARROW} `)}  Engine.IO v${c.protocol}  from ${v(c.remoteAddress)}  ${span(c.openedAt, c.closedAt)}  on ${v(c.node)}\n`;
  if (c.explanation !== undefined) out += `${INDENT}${v(c.explanation)}\n`;
  for (const socket of sockets) out += socketLines(socket, INDENT, '');
  out += `${INDENT}timeline:\n`;
  return out + timelineLines(c.timeline, `${INDENT}  `);
}

/** A connection's block as it is printed. */
export function formatStory(story: ConnectionStory): string {
  return typeset(storyBlock(story));
}

export function formatOrphan(socket: SocketReport): string {
  return typeset(`\n${socketLines(socket, '  ', '  (no connection recorded)')}`);
}

function socketLines(s: SocketReport, indent: string, note: string): string {
  const rooms = s.rooms.length > 0 ? `  rooms: ${s.rooms.map(v).join(', ')}` : '';
  const label = s.label !== undefined ? `  "${v(s.label)}"` : '';
  const out = `${indent}socket ${v(s.id)} on ${v(s.nsp)}${label}  ${v(s.state)}  ${span(s.connectedAt, s.disconnectedAt)}${rooms}${note}\n`;
  return s.explanation === undefined ? out : `${out}${indent}  ${v(s.explanation)}\n`;
}

export function formatRooms(rooms: RoomsView, at: number | undefined): string {
  const out = ['', `Rooms at ${at === undefined ? 'the end of the log' : isoTime(at)}`];
  for (const nsp of rooms.namespaces()) {
    const names = [...rooms.roomNames(nsp)];
    if (names.length === 0) continue;
    out.push(`  ${nsp}`);
    for (const name of names) out.push(`${INDENT}${name}: ${[...(rooms.membersOf(nsp, name) ?? [])].join(', ')}`);
  }
  if (out.length === 2) out.push('  (none)');
  return lines(out);
}

export interface ReplayTotals {
  folded: number;
  files: string[];
  at: number | undefined;
  shown: number;
  matched: number;
  open: number;
  sockets: number;
}

export function formatFooter(t: ReplayTotals): string {
  const more = t.matched - t.shown;
  const out = [''];
  if (more > 0) out.push(`… and ${more.toLocaleString('en-US')} more connection${more === 1 ? '' : 's'} (raise --limit to see them)`, '');
  out.push(
    `Replayed ${t.folded} event${t.folded === 1 ? '' : 's'} from ${t.files.join(', ')}: ${t.matched} connection${t.matched === 1 ? '' : 's'} (${t.open} open), ${t.sockets} socket${t.sockets === 1 ? '' : 's'}`,
    t.at === undefined ? 'State at the end of the log' : `State at ${isoTime(t.at)}`,
  );
  return lines(out);
}

/** One line per entry, except runs of more than two heartbeats, which become "N heartbeats … the last: …". */
function timelineLines(timeline: readonly TimelineEntry[], indent: string): string {
  let out = '';
  const line = (entry: TimelineEntry) => `${indent}${clock(entry.ts)}  ${v(entry.text)}\n`;
  const runLine = (first: TimelineEntry, last: TimelineEntry, count: number) =>
    `${indent}${clock(first.ts)} ${ELLIPSIS} ${clock(last.ts)}  ${count} heartbeats, the last: ${v(last.text)}\n`;
  let run: TimelineEntry[] = [];
  const flush = () => {
    if (run.length > 2) out += runLine(run[0]!, run[run.length - 1]!, run.length);
    else for (const entry of run) out += line(entry);
    run = [];
  };
  for (const entry of timeline) {
    if (entry.run) {
      // A run the streaming replay kept as its first and latest entry.
      flush();
      const { count, last } = entry.run;
      if (count > 2) out += runLine(entry, last, count);
      else out += line(entry) + (count === 2 ? line(last) : '');
      continue;
    }
    if (entry.type === 'conn.heartbeat') {
      run.push(entry);
      continue;
    }
    flush();
    out += line(entry);
  }
  flush();
  return out;
}
