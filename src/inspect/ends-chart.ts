/**
 * The timeline's chart of connection ends over time, stacked by reason
 * ("ping timeout", "transport close", "lost"…), drawn in the page by a few
 * lines of script from data embedded as JSON: at 10,000+ connections the
 * numbers are small (two per end) where SVG drawn in advance for every zoom
 * level would not be. Dragging across the chart (or clicking a bar) zooms to
 * that window: the chart is drawn again for it, and the page's filter keeps
 * the connections that were open during it (`iostateTimeline.setWindow`).
 *
 * Reasons are written into the page as text nodes (textContent), never as
 * markup, with their control characters and bidi overrides as visible
 * escapes, so a forged reason in a log cannot inject anything; the JSON is
 * made safe for a <script> element (scriptJson).
 */
import { scriptJson } from './html';
import { visible } from './visible-text';
import type { ConnectionLane } from './lanes';

/** Reasons given a colour of their own; the rest share "other reasons". */
export const CHART_REASONS = 8;
/** Warm colours for trouble, cool ones for chosen ends, as the lanes draw them. */
const TROUBLE_COLORS = ['#b3261e', '#e8871e', '#c2185b', '#8d4a00', '#f4511e', '#6d1b1b', '#d4a017', '#ad1457'];
const CHOSEN_COLORS = ['#4a7fd4', '#2a9d8f', '#6a3fb5', '#546e7a', '#558b2f', '#0277bd', '#7e57c2', '#00838f'];
const OTHER_COLOR = '#9e9e9e';

export interface EndsData {
  /** The window of the whole log: first start, last end (ms since the epoch). */
  from: number;
  to: number;
  reasons: string[];
  colors: string[];
  /** Flat pairs: ms after `from`, index in `reasons`. */
  ends: number[];
}

/** The chart's category of an end: its reason, and for a "transport close" whether the client was killed (no close frame). */
function category(ending: NonNullable<ConnectionLane['ending']>): string {
  return ending.reason === 'transport close' && ending.abnormal ? 'transport close, no close frame (1006)' : ending.reason;
}

/** Every connection end of `lanes` (all of them, not only the cards drawn), by reason, most frequent first. */
export function endsData(lanes: readonly ConnectionLane[]): EndsData {
  let from = Infinity;
  let to = -Infinity;
  const counts = new Map<string, { count: number; abnormal: boolean }>();
  for (const lane of lanes) {
    from = Math.min(from, lane.start);
    to = Math.max(to, lane.end);
    if (!lane.ending) continue;
    const key = category(lane.ending);
    const entry = counts.get(key) ?? { count: 0, abnormal: lane.ending.abnormal };
    entry.count++;
    counts.set(key, entry);
  }
  const ranked = [...counts].sort((a, b) => b[1].count - a[1].count);
  const index = new Map(ranked.map(([reason], i) => [reason, Math.min(i, CHART_REASONS)]));
  // Shown as they are escaped elsewhere (visible-text.ts): a forged log's reason cannot reorder the legend's text.
  const reasons = ranked.slice(0, CHART_REASONS).map(([reason]) => visible(reason));
  let trouble = 0;
  let chosen = 0;
  const colors = ranked.slice(0, CHART_REASONS).map(([, { abnormal }]) => (abnormal ? TROUBLE_COLORS[trouble++]! : CHOSEN_COLORS[chosen++]!));
  if (ranked.length > CHART_REASONS) {
    reasons.push('other reasons');
    colors.push(OTHER_COLOR);
  }
  const ends: number[] = [];
  for (const lane of lanes) if (lane.ending) ends.push(lane.ending.at - from, index.get(category(lane.ending))!);
  return { from: Number.isFinite(from) ? from : 0, to: Number.isFinite(to) ? to : 0, reasons, colors, ends };
}

export const ENDS_CHART_CSS = `
.ends{background:#fff;border:1px solid #d5d9e0;border-radius:8px;padding:8px 12px;margin:10px 0}
.ends svg{width:100%;height:auto;display:block;cursor:crosshair;user-select:none}
.ends .legend{display:flex;flex-wrap:wrap;gap:12px;font-size:12px;margin:4px 0}
.ends .legend i{display:inline-block;width:12px;height:10px;border-radius:2px;margin-right:4px}
.ends .bar{font-size:12.5px;display:flex;gap:12px;align-items:center}
.ends text{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:9px;fill:#667}
`;

/** The chart's box: an SVG the script fills, its legend, the window shown and the reset button. */
export function renderEndsChart(data: EndsData): string {
  return `<section class="ends" id="ends"><h2 style="margin:0">Connection ends over time, by reason</h2>
<div class="bar"><span id="ends-window"></span><span id="ends-total"></span><button type="button" id="ends-reset" hidden>show the whole log</button><span style="color:#667">drag across the chart (or click a bar) to zoom</span></div>
<svg id="ends-svg" viewBox="0 0 960 170" role="img" aria-label="connection ends over time, by reason"></svg>
<div class="legend" id="ends-legend"></div>
<noscript><p class="note">The chart needs script; the counts by reason are in the table above.</p></noscript>
<script type="application/json" id="ends-data">${scriptJson(data)}</script>
</section>`;
}

/**
 * Draws the chart and handles zoom. 60 bars over the window; each bar's
 * tooltip lists its counts by reason. Calls `iostateTimeline.setWindow` (the
 * page's filter, timeline.ts) with the window, or null for the whole log.
 */
export const ENDS_CHART_SCRIPT = `
(function(){
  var box=document.getElementById('ends-svg');if(!box)return;
  var data=JSON.parse(document.getElementById('ends-data').textContent);
  var NS=box.namespaceURI,W=960,H=170,LEFT=40,RIGHT=10,TOP=8,BOTTOM=22,BARS=60,PLOT=W-LEFT-RIGHT;
  var view={from:data.from,to:Math.max(data.to,data.from+1)},drag=null,sel=null;
  function el(name,attrs,text){var e=document.createElementNS(NS,name);for(var k in attrs)e.setAttribute(k,attrs[k]);if(text!=null)e.textContent=text;return e}
  function clock(ms){return new Date(ms).toISOString().slice(11,23)}
  function xOf(t){return LEFT+(t-view.from)/(view.to-view.from)*PLOT}
  function tOf(x){return view.from+Math.min(Math.max(x-LEFT,0),PLOT)/PLOT*(view.to-view.from)}
  function draw(){
    while(box.firstChild)box.removeChild(box.firstChild);
    var span=view.to-view.from,width=span/BARS,counts=[],max=0,total=0;
    for(var b=0;b<BARS;b++){counts.push([]);for(var r=0;r<data.reasons.length;r++)counts[b].push(0)}
    for(var i=0;i<data.ends.length;i+=2){
      var t=data.from+data.ends[i];if(t<view.from||t>view.to)continue;
      var bar=Math.min(BARS-1,Math.floor((t-view.from)/width));counts[bar][data.ends[i+1]]++;total++;
    }
    counts.forEach(function(c){var s=c.reduce(function(a,x){return a+x},0);if(s>max)max=s});
    var plotH=H-TOP-BOTTOM;
    // Whole counts only: 0, the top, and the middle when it is a count of its own.
    [0,Math.round(max/2),max].filter(function(n,i,all){return all.indexOf(n)===i}).forEach(function(n){var y=TOP+plotH*(1-(max?n/max:0));box.appendChild(el('line',{x1:LEFT,x2:W-RIGHT,y1:y,y2:y,stroke:'#e6e9ef'}));box.appendChild(el('text',{x:LEFT-4,y:y+3,'text-anchor':'end'},String(n)))});
    for(var k=0;k<=4;k++){var tx=LEFT+PLOT*k/4;box.appendChild(el('text',{x:tx,y:H-6,'text-anchor':k===0?'start':k===4?'end':'middle'},clock(view.from+span*k/4)))}
    counts.forEach(function(c,bar){
      var x=LEFT+bar*PLOT/BARS,y=TOP+plotH,g=el('g',{'class':'ends-bar','data-bar':bar}),lines=[clock(view.from+bar*width)+' – '+clock(view.from+(bar+1)*width)];
      c.forEach(function(n,r){if(!n)return;var h=max?n/max*plotH:0;y-=h;g.appendChild(el('rect',{x:x+0.5,y:y,width:Math.max(PLOT/BARS-1,1),height:h,fill:data.colors[r],'data-reason':r,'data-count':n}));lines.push(n+' '+data.reasons[r])});
      g.appendChild(el('rect',{x:x,y:TOP,width:PLOT/BARS,height:plotH,fill:'transparent'}));
      g.appendChild(el('title',{},lines.join('\\n')));
      box.appendChild(g);
    });
    sel=el('rect',{y:TOP,height:plotH,fill:'rgba(74,127,212,0.2)',stroke:'#4a7fd4',width:0,x:0,visibility:'hidden'});box.appendChild(sel);
    var legend=document.getElementById('ends-legend');legend.textContent='';
    data.reasons.forEach(function(reason,r){
      var n=0;counts.forEach(function(c){n+=c[r]});
      var item=document.createElement('span'),sw=document.createElement('i');sw.style.background=data.colors[r];item.appendChild(sw);item.appendChild(document.createTextNode(reason+' '+n));legend.appendChild(item);
    });
    var whole=view.from===data.from&&view.to===Math.max(data.to,data.from+1);
    var shown=document.getElementById('ends-window');shown.textContent=(whole?'whole log: ':'window: ')+clock(view.from)+' → '+clock(view.to);
    shown.setAttribute('data-from',view.from);shown.setAttribute('data-to',view.to);
    document.getElementById('ends-total').textContent=total+' end'+(total===1?'':'s');
    document.getElementById('ends-reset').hidden=whole;
  }
  function local(e){var r=box.getBoundingClientRect();return (e.clientX-r.left)/r.width*W}
  function zoom(from,to){
    if(to-from<1)to=from+1;
    view={from:from,to:to};draw();
    if(window.iostateTimeline)window.iostateTimeline.setWindow(from,to);
  }
  box.addEventListener('mousedown',function(e){drag=local(e);e.preventDefault()});
  box.addEventListener('mousemove',function(e){if(drag==null)return;var x=local(e);sel.setAttribute('visibility','visible');sel.setAttribute('x',Math.min(x,drag));sel.setAttribute('width',Math.abs(x-drag))});
  window.addEventListener('mouseup',function(e){
    if(drag==null)return;var x=local(e),start=drag;drag=null;sel.setAttribute('visibility','hidden');
    if(Math.abs(x-start)>4){zoom(tOf(Math.min(x,start)),tOf(Math.max(x,start)));return}
    if(start<LEFT||start>W-RIGHT)return;
    var width=(view.to-view.from)/BARS,bar=Math.min(BARS-1,Math.floor((start-LEFT)/PLOT*BARS));
    zoom(view.from+bar*width,view.from+(bar+1)*width);
  });
  document.getElementById('ends-reset').addEventListener('click',function(){
    view={from:data.from,to:Math.max(data.to,data.from+1)};draw();
    if(window.iostateTimeline)window.iostateTimeline.setWindow(null,null);
  });
  draw();
})();
`;
