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
import { oneLine, visibleLines } from '../inspect/visible-text';
import type { TextTimeline } from './replay-timeline';

const INDENT = '    ';

/**
 * The lines as one block, each unsafe character shown (one pass over the
 * block, not one per line), a line feed inside a line too. The last line
 * break comes from joining an empty line on: adding it to the joined text
 * would make the pass copy the block.
 */
const lines = (list: string[]) => {
  list.push('');
  return visibleLines(list.map(oneLine).join('\n'));
};

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
  return to === undefined ? `since ${clock(from)}` : `${clock(from)} – ${clock(to)}`;
}

/** Where a block goes: text, or lines already written out (a timeline). */
export interface BlockSink {
  write(piece: string | Buffer): void;
}

/** A connection's block: its line, its explanation, its sockets, then its timeline as kept (TextTimeline). */
export function writeStory({ connection: c, sockets, timeline }: ConnectionStory<TextTimeline>, out: BlockSink): void {
  let head = `\n${oneLine(`  ${c.id}${c.label !== undefined ? `  "${c.label}"` : ''}  ${c.state}  ${c.transports.join(' → ')}  Engine.IO v${c.protocol}  from ${c.remoteAddress}  ${span(c.openedAt, c.closedAt)}  on ${c.node}`)}\n`;
  if (c.explanation !== undefined) head += `${INDENT}${oneLine(c.explanation)}\n`;
  for (const socket of sockets) head += socketLines(socket, INDENT);
  out.write(visibleLines(`${head}${INDENT}timeline:\n`));
  out.write(timeline.lines());
}

export function formatOrphan(socket: SocketReport): string {
  return visibleLines(`\n${socketLines(socket, '  ', '  (no connection recorded)')}`);
}

/** A socket's line, ending with `note`, and its explanation, each with its line break. */
function socketLines(s: SocketReport, indent: string, note = ''): string {
  const rooms = s.rooms.length > 0 ? `  rooms: ${s.rooms.join(', ')}` : '';
  const label = s.label !== undefined ? `  "${s.label}"` : '';
  const line = `${oneLine(`${indent}socket ${s.id} on ${s.nsp}${label}  ${s.state}  ${span(s.connectedAt, s.disconnectedAt)}${rooms}${note}`)}\n`;
  return s.explanation === undefined ? line : `${line}${indent}  ${oneLine(s.explanation)}\n`;
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
