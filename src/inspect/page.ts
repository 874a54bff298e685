/**
 * The live inspector page: one HTML document with its CSS and script inline
 * (nothing fetched but the endpoint's own JSON, HTML fragments and event
 * stream, all by relative URL, so it works under any path).
 *
 * It pulls: the snapshot on load and again at most every 2 s while events
 * arrive; swimlanes of the latest connections at most every 3 s; the event
 * stream delivers one aggregated batch per second. Tables are built with DOM
 * calls and textContent only, so no name from a client can inject markup.
 */
import { escapeHtml as esc } from './html';
import { LANES_CSS, renderLegend } from './lanes-svg';
import { describeMachine } from './machine-graph';
import { LIFECYCLE_MACHINES } from './mermaid';
import { renderStatechartSvg } from './statechart-svg';
import { UNSAFE_CHARACTERS } from './visible-text';

/** Rows the page asks for per table; totals are shown beside them. */
export const PAGE_ROWS = 300;

const CSS = `
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f5f6f8;color:#1d2330;font-size:13px}
header{background:#1d2330;color:#fff;padding:10px 20px;display:flex;align-items:center;gap:18px;flex-wrap:wrap}
header h1{margin:0;font-size:17px}
header .status{font-size:12px;color:#b8c0cc}
header .dot{display:inline-block;width:9px;height:9px;border-radius:50%;background:#999;margin-right:5px}
header .dot.live{background:#3ecf6e}
header .dot.down{background:#e5484d}
header a{color:#9cc3ff}
main{padding:10px 20px 40px}
.cards{display:flex;gap:10px;flex-wrap:wrap;margin:8px 0 14px}
.cards div{background:#fff;border:1px solid #d5d9e0;border-radius:8px;padding:8px 14px;min-width:120px}
.cards b{display:block;font-size:20px}
section.panel{background:#fff;border:1px solid #d5d9e0;border-radius:8px;padding:10px 14px;margin:12px 0}
section.panel h2{font-size:14px;margin:0 0 8px;display:flex;gap:12px;align-items:baseline;flex-wrap:wrap}
section.panel h2 small{font-weight:400;color:#667}
.grid{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:0 12px}
@media (max-width:1100px){.grid{grid-template-columns:minmax(0,1fr)}}
.scroll{max-height:340px;overflow:auto}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eef0f3;vertical-align:top;white-space:nowrap}
td.wrap{white-space:normal;min-width:260px}
th{position:sticky;top:0;background:#f0f2f6;font-weight:600;font-size:12px}
td.mono,td .mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.state{display:inline-block;padding:0 6px;border-radius:9px;font-size:11.5px;background:#e8ecf3}
.state.websocket,.state.connected,.state.active{background:#d7f0ea;color:#135c52}
.state.polling{background:#fdebc8;color:#7a4d00}
.state.upgrading,.state.connecting{background:#ece0fa;color:#4f2b8f}
.state.closing,.state.disconnecting,.state.refused,.state.closed{background:#fbe1df;color:#8c1d18}
.abnormal{color:#b3261e}
.empty{color:#889;font-style:italic;padding:6px 0}
.feed{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;max-height:260px;overflow:auto}
.feed div{padding:1px 0;border-bottom:1px solid #f1f2f5}
.feed .t{color:#778;margin-right:8px}
.counts span{display:inline-block;margin:0 10px 4px 0;font-size:12px}
input[type=search]{padding:3px 8px;width:220px}
.charts{display:flex;flex-direction:column;gap:10px;overflow-x:auto}
.charts h3{margin:6px 0 0;font-size:13px}
.statechart text{font:11px system-ui,sans-serif;fill:#223}
.statechart .event,.statechart .self{font:10px ui-monospace,Menlo,Consolas,monospace;fill:#334}
.statechart .self{fill:#667}
.statechart .compound{font-weight:600}
.note{color:#7a5a00;background:#fff6d6;border:1px solid #ecd98b;border-radius:6px;padding:6px 10px}
`;

const SCRIPT = `
(function(){
  'use strict';
  var ROWS=${PAGE_ROWS},FEED=60;
  var $=function(id){return document.getElementById(id)};
  var snapshot=null,lastSnapshotAt=0,snapshotTimer=null,lanesAt=0,lanesTimer=null,feed=[],showSocketRooms=false,filter='';
  function clock(ms){return ms==null?'':new Date(ms).toISOString().slice(11,23)}
  function age(ms){if(ms==null)return '';var s=(Date.now()-ms)/1000;return s<60?s.toFixed(1)+' s':s<3600?Math.floor(s/60)+' min':Math.floor(s/3600)+' h '+Math.floor(s%3600/60)+' min'}
  // Names come from clients: controls and bidi overrides are shown as escapes (visible-text.ts).
  var UNSAFE=new RegExp(${JSON.stringify(UNSAFE_CHARACTERS)},'g');
  function vis(s){return String(s).replace(UNSAFE,function(c){var n=c.charCodeAt(0),h=n.toString(16);return n<=0x9f?'\\\\x'+('0'+h).slice(-2):'\\\\u'+('000'+h).slice(-4)})}
  function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;if(text!=null)e.textContent=vis(text);return e}
  function badge(state){return el('span','state '+state,state)}
  function table(id,columns,rows,total){
    var box=$(id);box.textContent='';
    $(id+'-count').textContent=total>rows.length?rows.length+' of '+total+' shown':String(total);
    if(rows.length===0){box.appendChild(el('div','empty','none'));return}
    var t=el('table'),head=el('tr');
    columns.forEach(function(c){head.appendChild(el('th',null,c[0]))});
    t.appendChild(head);
    rows.forEach(function(row){
      var tr=el('tr');
      columns.forEach(function(c){
        var v=c[1](row),td=el('td',c[2]||null);
        if(v instanceof Node)td.appendChild(v);else td.textContent=v==null?'':vis(v);
        tr.appendChild(td);
      });
      t.appendChild(tr);
    });
    box.appendChild(t);
  }
  function render(){
    var s=snapshot;if(!s)return;
    $('n-namespaces').textContent=s.totals.namespaces;
    $('n-sockets').textContent=s.totals.sockets;
    $('n-connecting').textContent=s.totals.connecting||0;
    $('n-connections').textContent=s.totals.connections;
    $('n-rooms').textContent=s.namespaces.reduce(function(n,x){return n+x.rooms},0);
    $('seq').textContent=s.position;
    table('namespaces',[['name',function(r){return r.name},'mono'],['state',function(r){return badge(r.state)}],['sockets',function(r){return r.sockets}],['connecting',function(r){return r.connecting||0}],['rooms',function(r){return r.rooms}]],s.namespaces,s.namespaces.length);
    // Lists come filtered from the server (q, socketRooms); the counts say how many there are in all.
    var named=s.namespaces.reduce(function(n,x){return n+x.rooms},0);
    table('rooms',[['namespace',function(r){return r.nsp},'mono'],['room',function(r){return r.name},'mono'],['members',function(r){return r.members}]],s.rooms,s.matched?s.matched.rooms:showSocketRooms?s.totals.rooms:named);
    table('connections',[
      ['sid',function(r){return r.sid},'mono'],['label',function(r){return r.label},'mono'],['state',function(r){return badge(r.state)}],
      ['transports',function(r){return r.transports.join(' → ')}],['EIO',function(r){return r.protocol}],
      ['remote address',function(r){return r.remoteAddress},'mono'],
      ['last ping',function(r){return clock(r.lastPingAt)},'mono'],['last pong',function(r){return clock(r.lastPongAt)},'mono'],
      ['open for',function(r){return age(r.since)}],['sockets',function(r){return r.sockets}]],s.connections,s.matched?s.matched.connections:s.totals.connections);
    // Sockets still in middleware (state connecting) come first and are not in totals.sockets.
    table('sockets',[
      ['id',function(r){return r.id},'mono'],['label',function(r){return r.label},'mono'],['namespace',function(r){return r.nsp},'mono'],['state',function(r){return badge(r.state)}],
      ['rooms',function(r){return r.rooms.filter(function(x){return x!==r.id}).join(', ')},'wrap'],
      ['transport',function(r){return r.transport}],['connection',function(r){return r.connection},'mono'],['for',function(r){return age(r.since)}],
      ['recovery',function(r){return r.recovery||''},'wrap']],s.sockets,s.matched?s.matched.sockets:s.totals.sockets+(s.totals.connecting||0));
    table('closed',[
      ['closed',function(r){return clock(r.closedAt)},'mono'],['sid',function(r){return r.sid},'mono'],['label',function(r){return r.label},'mono'],
      ['reason',function(r){return el('span',r.abnormal?'abnormal':null,r.reason)}],
      ['explanation',function(r){return r.explanation},'wrap']],s.closed,s.closed.length);
  }
  function loadSnapshot(){
    lastSnapshotAt=Date.now();snapshotTimer=null;
    var url='snapshot?limit='+ROWS+(showSocketRooms?'':'&socketRooms=0')+(filter?'&q='+encodeURIComponent(filter):'');
    return fetch(url,{cache:'no-store'}).then(function(r){if(!r.ok)throw new Error('snapshot: HTTP '+r.status);return r.json()})
      .then(function(s){snapshot=s;render()}).catch(function(e){$('status').textContent=e.message});
  }
  function loadLanes(){
    lanesAt=Date.now();lanesTimer=null;
    fetch('lanes?limit=8',{cache:'no-store'}).then(function(r){return r.text()}).then(function(html){$('lanes').innerHTML=html||'<div class="empty">no connection yet</div>'});
  }
  function soon(kind){
    if(kind==='snapshot'&&!snapshotTimer)snapshotTimer=setTimeout(loadSnapshot,Math.max(0,2000-(Date.now()-lastSnapshotAt)));
    if(kind==='lanes'&&!lanesTimer)lanesTimer=setTimeout(loadLanes,Math.max(0,3000-(Date.now()-lanesAt)));
  }
  function describe(e){
    var ids=[e.sid,e.nsp,e.socketId,e.room].filter(function(x){return x!=null}).join(' ');
    var extra=e.reason||e.step||e.message||'';
    return ids+(extra?' · '+extra:'');
  }
  var streamStart=0;
  function onBatch(b){
    // The first batch replays the latest events for the feed: not a rate.
    var rate=b.from<streamStart?0:b.total/(interval/1000);
    $('rate').textContent=rate.toFixed(rate<10?1:0);
    var counts=$('counts');counts.textContent='';
    Object.keys(b.counts).sort().forEach(function(k){counts.appendChild(el('span',null,k+' ×'+b.counts[k]))});
    if(b.unavailable>0)counts.appendChild(el('span','abnormal',b.unavailable+' no longer in memory'));
    if(b.total>b.events.length)counts.appendChild(el('span',null,'(latest '+b.events.length+' of '+b.total+' listed)'));
    feed=feed.concat(b.events).slice(-FEED);
    var box=$('feed');box.textContent='';
    feed.slice().reverse().forEach(function(e){var d=el('div');d.appendChild(el('span','t',clock(e.ts)));d.appendChild(el('b',null,e.type+' '));d.appendChild(document.createTextNode(vis(describe(e))));box.appendChild(d)});
    soon('snapshot');
    if(b.events.some(function(e){return /^(conn|socket|room)\\./.test(e.type)})||b.unavailable>0)soon('lanes');
  }
  var interval=1000;
  function connect(){
    // Start a few events back, so the feed shows the latest ones at once.
    streamStart=snapshot?snapshot.position:0;
    var since=snapshot?'?since='+Math.max(0,snapshot.position-FEED):'';
    var es=new EventSource('events'+since);
    es.addEventListener('hello',function(m){var h=JSON.parse(m.data);interval=h.interval;$('dot').className='dot live';$('status').textContent='live · node '+h.node+(h.retaining?'':' · events not kept in memory')});
    es.addEventListener('batch',function(m){onBatch(JSON.parse(m.data))});
    es.onerror=function(){$('dot').className='dot down';$('status').textContent='reconnecting…'};
  }
  var typing=null;
  $('filter').addEventListener('input',function(){var v=this.value.trim();clearTimeout(typing);typing=setTimeout(function(){filter=v;loadSnapshot()},250)});
  $('socket-rooms').addEventListener('change',function(){showSocketRooms=this.checked;loadSnapshot()});
  setInterval(render,5000);
  loadSnapshot().then(connect);loadLanes();
})();
`;

export interface PageOptions {
  /** The server's node name, shown in the title. */
  node: string;
}

export function renderInspectorPage(options: PageOptions): string {
  const charts = Object.entries(LIFECYCLE_MACHINES)
    .map(([name, machine]) => `<h3>${esc(name)}</h3>${renderStatechartSvg(describeMachine(machine))}`)
    .join('');
  const panel = (id: string, title: string, extra = '') =>
    `<section class="panel"><h2>${esc(title)} <small id="${id}-count"></small>${extra}</h2><div class="scroll" id="${id}"><div class="empty">loading…</div></div></section>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>iostate inspector · ${esc(options.node)}</title>
<link rel="icon" href="data:,">
<style>${CSS}${LANES_CSS}</style>
</head>
<body>
<header><h1>iostate inspector</h1><span class="status"><span class="dot" id="dot"></span><span id="status">connecting…</span></span>
<span class="status">event #<span id="seq">0</span> · <span id="rate">0</span> events/s · times in UTC</span>
<span class="status"><a href="timeline" target="_blank">full timeline</a> · <a href="snapshot" target="_blank">snapshot JSON</a> · <a href="machines" target="_blank">Mermaid</a></span></header>
<main>
<div class="cards"><div><b id="n-namespaces">–</b>namespaces</div><div><b id="n-sockets">–</b>sockets</div><div><b id="n-connecting">–</b>in middleware</div><div><b id="n-connections">–</b>connections</div><div><b id="n-rooms">–</b>rooms</div>
<div style="flex:1;min-width:260px"><input type="search" id="filter" placeholder="find: sid, socket, room, address, label…" aria-label="filter rows"></div></div>
<section class="panel"><h2>Latest connections <small>swimlanes, newest first</small></h2>${renderLegend()}<div id="lanes"><div class="empty">loading…</div></div></section>
${panel('connections', 'Connections')}
${panel('sockets', 'Sockets')}
<div class="grid">
${panel('namespaces', 'Namespaces')}
${panel('rooms', 'Rooms', '<label><small><input type="checkbox" id="socket-rooms"> show each socket\'s own room</small></label>')}
</div>
${panel('closed', 'Recently closed connections')}
<section class="panel"><h2>Live events <small>one aggregated batch per tick</small></h2><div class="counts" id="counts"></div><div class="feed" id="feed"></div></section>
<section class="panel"><h2>Lifecycle statecharts <small>drawn from the xstate definitions in src/machines</small></h2><div class="charts">${charts}</div></section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
