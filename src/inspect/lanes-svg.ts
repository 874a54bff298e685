/**
 * Draws the swimlane model (lanes.ts) as HTML with inline SVG: one card per
 * connection, on that connection's own time axis (a log can span hours and a
 * connection a few milliseconds), and an overview of every connection on the
 * shared axis of the whole window. No script is needed to read them: details
 * are in <title> tooltips and in the text under each card.
 *
 * Used by the offline timeline (timeline.ts) and by the live inspector's
 * `lanes` endpoint, so both show the same picture.
 */
import { clock } from '../log/clock';
import { escapeHtml as esc } from './html';
import type { ConnectionLane, Marker, Segment, SocketLane } from './lanes';

const WIDTH = 960;
const LABEL = 210;
const RIGHT = 16;
const PLOT = WIDTH - LABEL - RIGHT;
const AXIS = 20;
const CONN_ROW = 36;
const SOCKET_ROW = 22;
const CHAR = 5.6;

/** The stylesheet the cards and the overview need; include it once per page. */
export const LANES_CSS = `
.lanes-card{border:1px solid #d5d9e0;border-radius:8px;margin:14px 0;padding:10px 14px;background:#fff}
.lanes-card h3{margin:0 0 2px;font-size:14px;font-family:ui-monospace,Menlo,Consolas,monospace}
.lanes-card h3 .label{font-family:system-ui,sans-serif;font-weight:400;background:#eef1f6;border-radius:4px;padding:0 6px;margin-left:6px}
.lanes-card .meta{color:#556;font-size:12px;margin-bottom:4px}
.lanes-card svg{width:100%;height:auto;display:block}
.lanes-card ul.causes{margin:6px 0 0;padding-left:18px;font-size:12.5px}
.lanes-card ul.causes li{margin:2px 0}
.lanes-card .abnormal{color:#b3261e}
.lanes-card .open{color:#1f7a3a}
.lanes-svg text{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:10px;fill:#223}
.lanes-svg .tick{font-size:9px;fill:#667}
.lanes-svg .grid{stroke:#e6e9ef}
.lanes-svg .room{font-size:9px;fill:#1b5e20}
.lanes-svg .room.leave{fill:#6d4c41}
.lanes-legend{display:flex;flex-wrap:wrap;gap:12px;font-size:12px;color:#334;margin:6px 0}
.lanes-legend span{display:inline-flex;align-items:center;gap:4px}
.lanes-legend i{display:inline-block;width:14px;height:10px;border-radius:2px}
`;

const FILL: Record<string, string> = {
  polling: '#f2b134',
  upgrading: '#9c6ade',
  websocket: '#2a9d8f',
  connected: '#4a7fd4',
};

/** The legend explaining colours and marker shapes. */
export function renderLegend(): string {
  const swatch = (color: string, text: string) => `<span><i style="background:${color}"></i>${esc(text)}</span>`;
  return `<div class="lanes-legend">${[
    swatch(FILL.polling!, 'polling'),
    swatch(FILL.upgrading!, 'upgrading (probe sent)'),
    swatch(FILL.websocket!, 'websocket'),
    swatch(FILL.connected!, 'socket connected'),
    '<span>▼ join · ▲ leave</span>',
    '<span>◆ upgrade probe · ⬆ upgraded · ✕ upgrade failed</span>',
    '<span>ticks: pings (up) and pongs (down)</span>',
    '<span style="color:#b3261e">● error · ┃ abnormal end</span>',
    '<span style="color:#555">┃ normal end</span>',
  ].join('')}</div>`;
}

/** One card per connection, each on its own axis. */
export function renderConnectionCards(lanes: readonly ConnectionLane[]): string {
  return lanes.map(renderConnectionCard).join('\n');
}

export function renderConnectionCard(lane: ConnectionLane): string {
  const from = lane.start;
  // A recovered socket is drawn on where it began, past its first connection's end: the axis runs to its end.
  const to = Math.max(lane.end, ...lane.sockets.map((socket) => socket.end));
  const span = Math.max(to - from, 1);
  const x = (t: number) => LABEL + ((t - from) / span) * PLOT;
  const height = AXIS + CONN_ROW + lane.sockets.length * SOCKET_ROW + 8;
  const parts: string[] = [axis(from, span, height)];

  const connY = AXIS + 12;
  const connLabel = `${lane.sid.slice(0, 20)}${lane.protocol ? ` EIO${lane.protocol}` : ''}`;
  parts.push(`<text x="4" y="${connY + 13}"><title>${esc(lane.sid)}</title>${esc(connLabel)}</text>`);
  parts.push(segments(lane.segments, x, connY, 16));
  parts.push(markers(lane.markers, x, connY, 16, lane.ending?.abnormal ?? false));

  lane.sockets.forEach((socket, index) => {
    const y = AXIS + CONN_ROW + index * SOCKET_ROW + 4;
    const label = `${socket.nsp} ${shortSocket(socket)}`;
    parts.push(
      `<text x="14" y="${y + 11}"><title>${esc(`${socket.nsp} ${socket.id}${socket.label !== undefined ? ` (${socket.label})` : ''}`)}</title>${esc(truncate(label, 32))}</text>`,
    );
    parts.push(segments(socket.segments, x, y + 2, 10));
    parts.push(markers(socket.markers, x, y + 2, 10, socket.ending?.abnormal ?? false));
  });

  const svg = `<svg class="lanes-svg" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="timeline of connection ${esc(lane.sid)}">${parts.join('')}</svg>`;
  return `<section class="lanes-card" id="conn-${esc(lane.sid)}" data-sid="${esc(lane.sid)}"${filterAttributes(lane)}>
<h3>connection ${esc(lane.sid)}${lane.label !== undefined ? ` <span class="label">${esc(lane.label)}</span>` : ''}</h3>
<div class="meta">${esc(cardMeta(lane))}</div>
${svg}
<ul class="causes">${causes(lane)}</ul>
</section>`;
}

/**
 * Every connection on the window's shared axis, one thin row each, linking to
 * its card; grouped by node, under the node's name, when there are several.
 * Each row is a `g.ov-row` carrying what the page's filter and zoom read
 * (sid, start, end, whether it ended in trouble, its text).
 */
export function renderOverview(lanes: readonly ConnectionLane[]): string {
  if (lanes.length === 0) return '';
  let from = Infinity;
  let to = -Infinity;
  for (const lane of lanes) {
    from = Math.min(from, lane.start);
    to = Math.max(to, lane.end);
  }
  const span = Math.max(to - from, 1);
  const x = (t: number) => LABEL + ((t - from) / span) * PLOT;
  const groups = byNode(lanes);
  const headed = groups.length > 1;
  const rows = lanes.length + (headed ? groups.length : 0);
  const row = rows > 60 ? 6 : 12;
  const header = 14;
  const height = AXIS + lanes.length * row + (headed ? groups.length * header : 0) + 4;
  const parts: string[] = [axis(from, span, height)];
  let y = AXIS;
  for (const [node, group] of groups) {
    if (headed) {
      const count = `${group.length} connection${group.length === 1 ? '' : 's'}`;
      parts.push(
        `<g class="ov-head" data-node="${esc(node)}" data-y="${y}"><text class="ov-node" x="4" y="${y + header - 3}" style="font-weight:600">node ${esc(truncate(node, 60))} · ${count}</text></g>`,
      );
      y += header;
    }
    for (const lane of group) {
      const top = y + 1;
      const bar = row - 2;
      const color = lane.ending ? (lane.ending.abnormal ? '#b3261e' : '#555') : '#1f7a3a';
      const who = lane.label !== undefined ? ` (${lane.label})` : '';
      const title = `${lane.sid}${who}: ${lane.ending ? lane.ending.cause : 'open'}`;
      parts.push(`<g class="ov-row" data-sid="${esc(lane.sid)}" data-node="${esc(lane.node)}"${filterAttributes(lane)} data-y="${top}">`);
      parts.push(`<a href="#conn-${esc(lane.sid)}"><title>${esc(title)}</title>`);
      if (row >= 10) parts.push(`<text x="4" y="${top + bar - 1}" style="font-size:9px">${esc(lane.sid.slice(0, 24))}</text>`);
      parts.push(segments(lane.segments, x, top, bar));
      if (lane.ending) parts.push(`<rect x="${x(lane.end) - 1}" y="${top - 1}" width="2.5" height="${bar + 2}" fill="${color}"/>`);
      parts.push('</a></g>');
      y += row;
    }
  }
  return `<svg class="lanes-svg overview" viewBox="0 0 ${WIDTH} ${height}" data-row="${row}" data-header="${header}" data-top="${AXIS}" role="img" aria-label="all connections">${parts.join('')}</svg>`;
}

/**
 * What a page's filter reads from a card or an overview row: its time span,
 * whether it ended in trouble, and its text in lower case (ids, node, label,
 * address, reasons and causes, namespaces, rooms), the same for both.
 */
function filterAttributes(lane: ConnectionLane): string {
  const text: string[] = [
    lane.sid,
    lane.node,
    lane.remoteAddress ?? '',
    lane.label ?? '',
    ...lane.transports,
    lane.ending?.reason ?? 'still open',
    lane.ending?.cause ?? '',
  ];
  for (const socket of lane.sockets) {
    text.push(socket.id, socket.nsp, socket.label ?? '', socket.ending?.cause ?? '');
    for (const marker of socket.markers) if (marker.label !== undefined) text.push(marker.label);
  }
  for (const marker of lane.markers) if (marker.kind === 'refused' || marker.kind === 'error' || marker.kind === 'upgrade-failed') text.push(marker.detail);
  const q = text.filter(Boolean).join(' ').toLowerCase();
  return ` data-start="${lane.start}" data-end="${lane.end}"${lane.ending?.abnormal ? ' data-abnormal="1"' : ''} data-q="${esc(q)}"`;
}

/** Lanes by node, nodes in the order they first appear, each group in its lanes' order. */
export function byNode<T extends { node: string }>(lanes: readonly T[]): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const lane of lanes) {
    let group = groups.get(lane.node);
    if (!group) groups.set(lane.node, (group = []));
    group.push(lane);
  }
  return [...groups];
}

function axis(from: number, span: number, height: number): string {
  const ticks: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const t = from + (span * i) / 4;
    const tx = LABEL + (PLOT * i) / 4;
    const anchor = i === 0 ? 'start' : i === 4 ? 'end' : 'middle';
    const label = i === 0 ? clock(t) : `+${duration(t - from)}`;
    ticks.push(`<line class="grid" x1="${tx}" y1="${AXIS - 4}" x2="${tx}" y2="${height}"/>`);
    ticks.push(`<text class="tick" x="${tx}" y="${AXIS - 8}" text-anchor="${anchor}">${esc(label)}</text>`);
  }
  return ticks.join('');
}

function segments(list: readonly Segment<string>[], x: (t: number) => number, y: number, h: number): string {
  return list
    .map((segment) => {
      const left = x(segment.from);
      // Never thinner than 3 px: a 100 ms polling phase before an upgrade must stay visible.
      const width = Math.max(x(segment.to) - left, 3);
      const title = `${segment.state} ${clock(segment.from)} → ${clock(segment.to)} (${duration(segment.to - segment.from)})`;
      return `<rect x="${left.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${h}" rx="2" fill="${FILL[segment.state] ?? '#999'}"><title>${esc(title)}</title></rect>`;
    })
    .join('');
}

function markers(list: readonly Marker[], x: (t: number) => number, y: number, h: number, abnormalEnd: boolean): string {
  let labelEnd = -Infinity;
  return list
    .map((marker) => {
      const mx = x(marker.at);
      const title = `<title>${esc(marker.detail)}</title>`;
      const shape = markerShape(marker, mx, y, h, abnormalEnd);
      let label = '';
      if (marker.label && mx > labelEnd) {
        const text = truncate(marker.label, 18);
        const cls = marker.kind === 'leave' ? 'room leave' : 'room';
        const width = text.length * CHAR;
        // Near the right edge the label goes to the left of its marker, inside the picture.
        const leftward = mx + 8 + width > WIDTH;
        label = `<text class="${cls}" x="${(leftward ? mx - 6 : mx + 6).toFixed(1)}" y="${y - 1}"${leftward ? ' text-anchor="end"' : ''}>${esc(text)}</text>`;
        labelEnd = leftward ? mx : mx + 8 + width;
      }
      return `<g class="marker ${marker.kind}">${title}${shape}${label}</g>`;
    })
    .join('');
}

function markerShape(marker: Marker, mx: number, y: number, h: number, abnormalEnd: boolean): string {
  const cx = mx.toFixed(1);
  const mid = y + h / 2;
  switch (marker.kind) {
    case 'ping':
      return `<line x1="${cx}" y1="${y - 4}" x2="${cx}" y2="${y}" stroke="#556" stroke-width="1"/>`;
    case 'pong':
      return `<line x1="${cx}" y1="${y + h}" x2="${cx}" y2="${y + h + 4}" stroke="#556" stroke-width="1"/>`;
    case 'probe':
      return `<path d="M${cx} ${mid - 5}l5 5-5 5-5-5z" fill="#6a3fb5" stroke="#fff" stroke-width="1"/>`;
    case 'upgraded':
      return `<path d="M${cx} ${y - 2}l5 7h-3v${h - 3}h-4v-${h - 3}h-3z" fill="#1d6b62" stroke="#fff" stroke-width="0.8"/>`;
    case 'upgrade-failed':
      return `<path d="M${mx - 4} ${mid - 4}l8 8m0-8l-8 8" stroke="#c25e00" stroke-width="2.2"/>`;
    case 'error':
      return `<circle cx="${cx}" cy="${mid}" r="4.5" fill="#b3261e" stroke="#fff" stroke-width="1"/>`;
    case 'app-error':
      return `<circle cx="${cx}" cy="${mid}" r="3.5" fill="#e65100" stroke="#fff" stroke-width="1"/>`;
    case 'refused':
      return `<rect x="${mx - 4}" y="${mid - 4}" width="8" height="8" fill="#c25e00" stroke="#fff" stroke-width="1"/>`;
    case 'join':
      return `<path d="M${mx - 4} ${y - 6}h8l-4 6z" fill="#2e7d32"/>`;
    case 'leave':
      return `<path d="M${mx - 4} ${y}h8l-4-6z" fill="#8d6e63"/>`;
    case 'recovered':
      return `<path d="M${mx - 5} ${mid + 3}l5-6 5 6" fill="none" stroke="#2e7d32" stroke-width="2.2"/>`;
    case 'not-recovered':
      return `<circle cx="${cx}" cy="${mid}" r="4" fill="none" stroke="#b3261e" stroke-width="2"/>`;
    case 'close':
      return `<rect x="${mx - 1.5}" y="${y - 3}" width="3" height="${h + 6}" fill="${abnormalEnd ? '#b3261e' : '#444'}"/>`;
  }
}

function cardMeta(lane: ConnectionLane): string {
  const parts = [
    lane.protocol ? `Engine.IO v${lane.protocol}` : 'protocol not in window',
    lane.remoteAddress ?? '',
    `node ${lane.node}`,
    `${lane.openSeen ? 'opened' : 'first seen'} ${clock(lane.start)}`,
    lane.ending
      ? `${lane.ending.reason === 'lost' || lane.ending.reason === 'left' ? lane.ending.reason : 'closed'} after ${duration(lane.end - lane.start)}`
      : `open for ${duration(lane.end - lane.start)}`,
    lane.transports.length > 0 ? lane.transports.join(' → ') : '',
  ];
  return parts.filter(Boolean).join(' · ');
}

function causes(lane: ConnectionLane): string {
  const items: string[] = [];
  const line = (who: string, ending: ConnectionLane['ending']) =>
    ending
      ? `<li class="${ending.abnormal ? 'abnormal' : ''}"><b>${esc(who)}</b> ${esc(clock(ending.at))}: ${esc(ending.cause)}</li>`
      : `<li class="open"><b>${esc(who)}</b>: still open</li>`;
  items.push(line('connection', lane.ending));
  for (const socket of lane.sockets)
    items.push(line(`socket ${socketName(socket)}${socket.label !== undefined && socket.label !== lane.label ? ` (${socket.label})` : ''}`, socket.ending));
  return items.join('');
}

/** Socket ids of other namespaces already start with the namespace ("/chat#abc"). */
function socketName(socket: SocketLane): string {
  return socket.id.startsWith(`${socket.nsp}#`) ? socket.id : `${socket.id} on ${socket.nsp}`;
}

function shortSocket(socket: SocketLane): string {
  const hash = socket.id.lastIndexOf('#');
  return hash >= 0 ? socket.id.slice(hash + 1) : socket.id;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A short human duration: "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')} s`;
  return `${Math.floor(ms / 3_600_000)} h ${String(Math.floor((ms % 3_600_000) / 60_000)).padStart(2, '0')} min`;
}
