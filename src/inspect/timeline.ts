/**
 * The offline timeline: one self-contained HTML file (inline CSS, SVG and a
 * few lines of script, nothing fetched) drawing every connection of a log as
 * swimlanes, with the cause of each disconnect. `iostate inspect` writes it.
 */
import type { LogEvent } from '../log/events';
import { clock, isoTime } from '../log/clock';
import { escapeHtml as esc } from './html';
import { buildLanes, type ConnectionLane, type LaneOptions } from './lanes';
import { byNode, LANES_CSS, renderConnectionCards, renderLegend, renderOverview } from './lanes-svg';
import { ENDS_CHART_CSS, ENDS_CHART_SCRIPT, endsData, renderEndsChart } from './ends-chart';

export interface TimelineOptions extends LaneOptions {
  /** The page title; default "iostate timeline". */
  title?: string;
  /** Where the events came from, printed under the title (e.g. file names). */
  source?: string;
  /** Cards drawn at most, the latest connections kept; default 500. */
  maxConnections?: number;
  /** Rows of the overview at most, the latest kept; default 20,000. The chart counts every connection. */
  maxOverview?: number;
}

export const DEFAULT_MAX_CONNECTIONS = 500;
export const DEFAULT_MAX_OVERVIEW = 20_000;

const PAGE_CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
header{background:#1d2330;color:#fff;padding:14px 24px}
header h1{margin:0;font-size:19px}
header .sub{color:#b8c0cc;font-size:12.5px;margin-top:3px}
main{padding:8px 24px 40px;max-width:1180px}
.summary{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.summary div{background:#fff;border:1px solid #d5d9e0;border-radius:8px;padding:8px 12px;font-size:13px}
.summary b{font-size:18px;display:block}
.reasons{font-size:13px;margin:4px 0 10px}
.reasons td{padding:2px 10px 2px 0}
.controls{display:flex;gap:14px;align-items:center;font-size:13px;margin:10px 0}
.controls input[type=search]{padding:4px 8px;width:280px}
.note{color:#7a5a00;background:#fff6d6;border:1px solid #ecd98b;border-radius:6px;padding:6px 10px;font-size:13px}
h2{font-size:15px;margin:18px 0 4px}
`;

/**
 * The filter: text, abnormal ends only, and the chart's zoom window (the
 * connections open during it). It hides cards and overview rows alike, and
 * packs the overview's remaining rows together. Without script, everything
 * is shown.
 */
const PAGE_SCRIPT = `
(function(){
  var search=document.getElementById('filter'),bad=document.getElementById('abnormal'),from=null,to=null;
  // What the filter reads, read once: at 10,000+ rows, attribute reads on every keystroke add up.
  function facts(el){return {el:el,head:el.getAttribute('class')==='ov-head',q:el.getAttribute('data-q')||'',start:+el.getAttribute('data-start'),end:+el.getAttribute('data-end'),abnormal:el.hasAttribute('data-abnormal'),y:+el.getAttribute('data-y'),shown:true,dy:0}}
  var cards=Array.prototype.map.call(document.querySelectorAll('.lanes-card'),facts);
  var overview=document.querySelector('svg.overview'),items=overview?Array.prototype.map.call(overview.querySelectorAll('.ov-row,.ov-head'),facts):[];
  function matches(f,q,only){
    if(q&&f.q.indexOf(q)<0)return false;
    if(only&&!f.abnormal)return false;
    return from==null||(f.end>=from&&f.start<=to);
  }
  /** Shows or hides, moves by dy: touching the DOM only when something changed. */
  function place(f,shown,dy){
    if(f.shown!==shown){f.el.style.display=shown?'':'none';f.shown=shown}
    if(shown&&f.dy!==dy){f.el.setAttribute('transform','translate(0,'+dy+')');f.dy=dy}
  }
  function apply(){
    var q=search.value.toLowerCase().trim(),only=bad.checked,cardsShown=0,rowsShown=0;
    cards.forEach(function(f){var ok=matches(f,q,only);place(f,ok,0);if(ok)cardsShown++});
    if(overview){
      // Rows in order, each node's heading before its rows: a heading stays only with rows under it.
      var row=+overview.getAttribute('data-row'),head=+overview.getAttribute('data-header'),y=+overview.getAttribute('data-top'),pending=null;
      items.forEach(function(f){
        if(f.head){place(f,false,f.dy);pending=f;return}
        var ok=matches(f,q,only);
        if(!ok){place(f,false,f.dy);return}
        if(pending){place(pending,true,y-pending.y);y+=head;pending=null}
        place(f,true,y-f.y);y+=row;rowsShown++;
      });
      var height=y+4,box=overview.getAttribute('viewBox').split(' ');box[3]=height;overview.setAttribute('viewBox',box.join(' '));
      Array.prototype.forEach.call(overview.querySelectorAll('line.grid'),function(line){line.setAttribute('y2',height)});
    }
    document.getElementById('shown').textContent=overview?rowsShown:cardsShown;
    document.getElementById('cards-shown').textContent=cardsShown;
  }
  window.iostateTimeline={setWindow:function(f,t){from=f;to=t;apply()}};
  search.addEventListener('input',apply);bad.addEventListener('change',apply);
})();
`;

export function renderTimelineHtml(events: readonly LogEvent[], options: TimelineOptions = {}): string {
  const title = options.title ?? 'iostate timeline';
  const all = buildLanes(events, options);
  const max = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const lanes = latest(all, max);
  const omitted = all.length - lanes.length;
  const maxOverview = options.maxOverview ?? DEFAULT_MAX_OVERVIEW;
  const rows = latest(all, maxOverview);
  const range = events.length > 0 ? `${isoTime(events[0]!.ts)} → ${isoTime(events[events.length - 1]!.ts)}` : 'no events';
  const sub = [options.source, `${events.length} events`, range].filter(Boolean).join(' · ');

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title>
<link rel="icon" href="data:,">
<style>${PAGE_CSS}${LANES_CSS}${ENDS_CHART_CSS}</style>
</head>
<body>
<header><h1>${esc(title)}</h1><div class="sub">${esc(sub)}</div></header>
<main>
${summary(all)}
${all.length > 0 ? renderEndsChart(endsData(all)) : ''}
${lanes.length === 0 ? '<p class="note">No connection in these events.</p>' : ''}
<div class="controls"><input type="search" id="filter" placeholder="filter: sid, socket, room, label, node, reason…" aria-label="filter connections">
<label><input type="checkbox" id="abnormal"> abnormal ends only</label><span><span id="shown">${rows.length}</span> connections shown, <span id="cards-shown">${lanes.length}</span> cards</span></div>
${renderLegend()}
${rows.length > 0 ? `<h2>All connections</h2>${rows.length < all.length ? `<p class="note">The overview has the latest ${maxOverview} of ${all.length} connections; the chart counts them all.</p>` : ''}${renderOverview(rows)}` : ''}
${omitted > 0 ? `<p class="note">${omitted} older connections have no card (the latest ${max} do); use <code>--sid</code> to draw one of them.</p>` : ''}
${cardsByNode(lanes)}
</main>
<script>${PAGE_SCRIPT}${ENDS_CHART_SCRIPT}</script>
</body>
</html>
`;
}

function latest<T>(list: readonly T[], count: number): readonly T[] {
  return list.length > count ? list.slice(list.length - count) : list;
}

/** The cards, under a heading per node when the log holds several. */
function cardsByNode(lanes: readonly ConnectionLane[]): string {
  const groups = byNode(lanes);
  if (groups.length <= 1) return renderConnectionCards(lanes);
  return groups
    .map(
      ([node, group]) =>
        `<h2 class="node">node ${esc(node)} <small>${group.length} connection${group.length === 1 ? '' : 's'}</small></h2>\n${renderConnectionCards(group)}`,
    )
    .join('\n');
}

function summary(lanes: readonly ConnectionLane[]): string {
  const sockets = lanes.reduce((count, lane) => count + lane.sockets.length, 0);
  const open = lanes.filter((lane) => !lane.ending).length;
  // A node that went down or restarted took these with it: "lost", as replay says, never "still open".
  const lost = lanes.filter((lane) => lane.ending?.reason === 'lost').length;
  // A node that left the cluster (or whose cluster this node left) did not take them: they went on, out of sight.
  const left = lanes.filter((lane) => lane.ending?.reason === 'left').length;
  const abnormal = lanes.filter((lane) => lane.ending?.abnormal).length;
  const reasons = new Map<string, { count: number; last: number }>();
  for (const lane of lanes) {
    if (!lane.ending) continue;
    const entry = reasons.get(lane.ending.reason) ?? { count: 0, last: 0 };
    entry.count++;
    entry.last = Math.max(entry.last, lane.ending.at);
    reasons.set(lane.ending.reason, entry);
  }
  const rows = [...reasons]
    .sort((a, b) => b[1].count - a[1].count)
    .map(([reason, { count, last }]) => `<tr><td><b>${count}</b></td><td>${esc(reason)}</td><td>last at ${esc(clock(last))}</td></tr>`)
    .join('');
  const box = (value: number, label: string) => `<div><b>${value}</b>${esc(label)}</div>`;
  return `<div class="summary">${box(lanes.length, 'connections')}${box(sockets, 'sockets')}${box(open, 'still open')}${lost > 0 ? box(lost, 'lost with their node') : ''}${left > 0 ? box(left, 'out of sight after a leave') : ''}${box(abnormal, 'abnormal ends')}</div>
${rows ? `<table class="reasons"><caption style="text-align:left;font-weight:600">Connection close reasons</caption>${rows}</table>` : ''}`;
}
