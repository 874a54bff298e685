/**
 * The live inspector page: one HTML document with its CSS and script inline
 * (nothing fetched but the endpoint's own JSON, HTML fragments and event
 * stream, all by relative URL, so it works under any path).
 *
 * It fetches no snapshot: the event stream (`events?live=1`) brings the live
 * model whole once, then immer's JSON patches of it at most every 250 ms,
 * which the page applies to its copy (page-patches.ts) and redraws once per
 * animation frame. Tables of sockets, connections and rooms are virtual:
 * they draw the rows in view, so 100k sockets cost what 30 do; the filter
 * runs on the page's copy. Swimlanes of the latest connections are fetched
 * at most every 3 s; the same stream delivers one aggregated batch of events
 * per second. Tables are built with DOM calls and textContent only, so no
 * name from a client can inject markup.
 */
import { escapeHtml as esc } from './html';
import { LANES_CSS, renderLegend } from './lanes-svg';
import { describeMachine } from './machine-graph';
import { LIFECYCLE_MACHINES } from './mermaid';
import { applyModelPatches } from './page-patches';
import { renderStatechartSvg } from './statechart-svg';
import { UNSAFE_CHARACTERS } from './visible-text';

/** Height of a row in the virtual tables, in px: fixed, so the rows in view are found by arithmetic. */
const ROW_HEIGHT = 22;

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
table.virtual td{height:${ROW_HEIGHT}px;line-height:15px;overflow:hidden;text-overflow:ellipsis;max-width:420px}
table.virtual tr.spacer td{padding:0;border:0}
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
.feed{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;max-height:260px;overflow:auto;contain:strict;height:260px}
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
  var FEED=60,ROW=${ROW_HEIGHT},OVERSCAN=10;
  var $=function(id){return document.getElementById(id)};
  var model=null,lanesAt=0,lanesTimer=null,filter='',frame=0;
  // Which lists to rebuild (filtered, in arrival order) before the next frame draws.
  var stale={namespaces:true,rooms:true,sockets:true,connections:true,closed:true},lists={};
  function clock(ms){return ms==null?'':new Date(ms).toISOString().slice(11,23)}
  function age(ms){if(ms==null)return '';var s=(Date.now()-ms)/1000;return s<60?s.toFixed(1)+' s':s<3600?Math.floor(s/60)+' min':Math.floor(s/3600)+' h '+Math.floor(s%3600/60)+' min'}
  // Names come from clients: controls and bidi overrides are shown as escapes (visible-text.ts).
  var UNSAFE=new RegExp(${JSON.stringify(UNSAFE_CHARACTERS)},'g');
  function vis(s){return String(s).replace(UNSAFE,function(c){var n=c.charCodeAt(0),h=n.toString(16);return n<=0x9f?'\\\\x'+('0'+h).slice(-2):'\\\\u'+('000'+h).slice(-4)})}
  function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;if(text!=null)e.textContent=vis(text);return e}
  function badge(state){return el('span','state '+state,state)}
  // The latest namespace CONNECT refused, and how many more the log only counted.
  function refusedText(x){
    if(!x)return '';var last=x.latest[x.latest.length-1];
    return (last?last.nsp+': '+last.message:'')+(x.notLogged?' (+'+x.notLogged+' not logged)':'');
  }
  ${applyModelPatches.toString()}
  var COLUMNS={
    namespaces:[['name',function(r){return r.name},'mono'],['state',function(r){return badge(r.state)}],['sockets',function(r){return r.sockets}],['rooms',function(r){return r.rooms}]],
    rooms:[['namespace',function(r){return r.nsp},'mono'],['room',function(r){return r.name},'mono'],['members',function(r){return r.members}]],
    connections:[
      ['sid',function(r){return r.sid},'mono'],['label',function(r){return r.label},'mono'],['state',function(r){return badge(r.state)}],
      ['transports',function(r){return r.transports.join(' → ')}],['EIO',function(r){return r.protocol}],
      ['remote address',function(r){return r.remoteAddress},'mono'],['open for',function(r){return age(r.since)}],['sockets',function(r){return r.sockets}],
      ['refused',function(r){return refusedText(r.refused)},'clip']],
    sockets:[
      ['id',function(r){return r.id},'mono'],['label',function(r){return r.label},'mono'],['namespace',function(r){return r.nsp},'mono'],['state',function(r){return badge(r.state)}],
      ['rooms',function(r){return r.rooms.filter(function(x){return x!==r.id}).join(', ')},'clip'],
      ['transport',function(r){return r.transport}],['connection',function(r){return r.connection},'mono'],['for',function(r){return age(r.since)}],
      ['recovery',function(r){return r.recovery||''},'clip']],
    closed:[
      ['closed',function(r){return clock(r.closedAt)},'mono'],['sid',function(r){return r.sid},'mono'],['label',function(r){return r.label},'mono'],
      ['reason',function(r){return el('span',r.abnormal?'abnormal':null,r.reason)}],
      ['explanation',function(r){return r.explanation},'wrap']]
  };
  // The filter, as the snapshot's ?q= reads it: any of these texts contains it, in any case.
  var TEXTS={
    namespaces:function(r){return [r.name]},
    rooms:function(r){return [r.name]},
    sockets:function(r){return [r.id,r.connection,r.label].concat(r.rooms)},
    connections:function(r){return [r.sid,r.remoteAddress,r.label]},
    closed:function(r){return [r.sid,r.remoteAddress,r.reason,r.label]}
  };
  var VIRTUAL={rooms:true,sockets:true,connections:true};
  function list(part){
    if(!stale[part])return lists[part];
    var all=part==='closed'?model.closed:Object.keys(model[part]).map(function(k){return model[part][k]});
    var needle=filter.toLowerCase(),texts=TEXTS[part];
    if(needle&&part!=='namespaces')all=all.filter(function(r){return texts(r).some(function(t){return t!=null&&String(t).toLowerCase().indexOf(needle)>=0})});
    stale[part]=false;lists[part]=all;return all;
  }
  function row(part,r){
    var tr=el('tr');
    COLUMNS[part].forEach(function(c){var v=c[1](r),td=el('td',c[2]||null);if(v instanceof Node)td.appendChild(v);else td.textContent=v==null?'':vis(v);tr.appendChild(td)});
    return tr;
  }
  function head(part){var tr=el('tr');COLUMNS[part].forEach(function(c){tr.appendChild(el('th',null,c[0]))});return tr}
  function spacer(part,rows){var tr=el('tr','spacer'),td=el('td');td.colSpan=COLUMNS[part].length;td.style.height=rows*ROW+'px';tr.appendChild(td);return tr}
  // Virtual tables draw the rows in view (and a few around): 100k rows cost what 30 do.
  function draw(part){
    // Read before the old rows go: an empty box has nothing to scroll.
    var rows=list(part),box=$(part),top=box.scrollTop,height=box.clientHeight||340;
    $(part+'-count').textContent=String(rows.length);
    box.textContent='';
    if(rows.length===0){box.appendChild(el('div','empty','none'));return}
    var t=el('table',VIRTUAL[part]?'virtual':null);t.appendChild(head(part));
    var first=0,last=rows.length;
    if(VIRTUAL[part]){
      first=Math.min(Math.max(0,Math.floor(top/ROW)-OVERSCAN),Math.max(0,rows.length-Math.ceil(height/ROW)-OVERSCAN));
      last=Math.min(rows.length,first+Math.ceil(height/ROW)+2*OVERSCAN);
      if(first>0)t.appendChild(spacer(part,first));
    }
    for(var i=first;i<last;i++)t.appendChild(row(part,rows[i]));
    if(last<rows.length)t.appendChild(spacer(part,rows.length-last));
    box.appendChild(t);box.scrollTop=top;
  }
  function render(){
    frame=0;var s=model;if(!s)return;
    $('n-namespaces').textContent=s.totals.namespaces;
    $('n-sockets').textContent=s.totals.sockets;
    $('n-connections').textContent=s.totals.connections;
    $('n-rooms').textContent=s.totals.rooms;
    ['namespaces','rooms','connections','sockets','closed'].forEach(draw);
  }
  function soonRender(){if(!frame)frame=requestAnimationFrame(render)}
  ['rooms','connections','sockets'].forEach(function(part){$(part).addEventListener('scroll',function(){if(model)draw(part)})});
  function onModel(m){model=m;Object.keys(stale).forEach(function(k){stale[k]=true});soonRender()}
  function onPatch(p){
    if(!model)return;
    applyModelPatches(model,p.patches);model.position=p.position;
    p.patches.forEach(function(x){if(x.path[0] in stale)stale[x.path[0]]=true});
    soonRender();
  }
  function loadLanes(){
    lanesAt=Date.now();lanesTimer=null;
    fetch('lanes?limit=8',{cache:'no-store'}).then(function(r){return r.text()}).then(function(html){$('lanes').innerHTML=html||'<div class="empty">no connection yet</div>'});
  }
  function soonLanes(){if(!lanesTimer)lanesTimer=setTimeout(loadLanes,Math.max(0,3000-(Date.now()-lanesAt)))}
  function describe(e){
    var ids=[e.sid,e.nsp,e.socketId,e.room].filter(function(x){return x!=null}).join(' ');
    var extra=e.reason||e.step||e.message||'';
    return ids+(extra?' · '+extra:'');
  }
  var streamStart=0,interval=1000;
  function onBatch(b){
    $('seq').textContent=b.to;
    // The first batch replays the latest events for the feed: not a rate.
    var rate=b.from<streamStart?0:b.total/(interval/1000);
    $('rate').textContent=rate.toFixed(rate<10?1:0);
    var counts=$('counts');counts.textContent='';
    Object.keys(b.counts).sort().forEach(function(k){counts.appendChild(el('span',null,k+' ×'+b.counts[k]))});
    if(b.unavailable>0)counts.appendChild(el('span','abnormal',b.unavailable+' no longer in memory'));
    if(b.total>b.events.length)counts.appendChild(el('span',null,'(latest '+b.events.length+' of '+b.total+' listed)'));
    // Newest first: the batch's rows go on top and the oldest fall off, the rest of the feed untouched.
    var box=$('feed'),added=document.createDocumentFragment();
    b.events.slice(-FEED).reverse().forEach(function(e){var d=el('div');d.appendChild(el('span','t',clock(e.ts)));d.appendChild(el('b',null,e.type+' '));d.appendChild(document.createTextNode(vis(describe(e))));added.appendChild(d)});
    box.insertBefore(added,box.firstChild);
    while(box.childElementCount>FEED)box.removeChild(box.lastChild);
    // Heartbeats change no lane worth redrawing: 100k idle connections send thousands a second.
    if(b.events.some(function(e){return /^(conn|socket|room)\\./.test(e.type)&&e.type!=='conn.heartbeat'})||b.unavailable>0)soonLanes();
  }
  function connect(){
    // The live model comes whole, then as patches; a few past events fill the feed at once.
    var es=new EventSource('events?live=1&recent='+FEED);
    es.addEventListener('hello',function(m){var h=JSON.parse(m.data);interval=h.interval;streamStart=h.position;$('dot').className='dot live';$('status').textContent='live · node '+h.node+(h.retaining?'':' · events not kept in memory')});
    es.addEventListener('model',function(m){onModel(JSON.parse(m.data))});
    es.addEventListener('patch',function(m){onPatch(JSON.parse(m.data))});
    es.addEventListener('batch',function(m){onBatch(JSON.parse(m.data))});
    es.onerror=function(){$('dot').className='dot down';$('status').textContent='reconnecting…'};
  }
  var typing=null;
  $('filter').addEventListener('input',function(){var v=this.value.trim();clearTimeout(typing);typing=setTimeout(function(){filter=v;Object.keys(stale).forEach(function(k){stale[k]=true});['rooms','connections','sockets'].forEach(function(p){$(p).scrollTop=0});soonRender()},150)});
  // Ages move on: redraw the rows in view now and then.
  setInterval(soonRender,5000);
  connect();loadLanes();
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
<div class="cards"><div><b id="n-namespaces">–</b>namespaces</div><div><b id="n-sockets">–</b>sockets</div><div><b id="n-connections">–</b>connections</div><div><b id="n-rooms">–</b>rooms</div>
<div style="flex:1;min-width:260px"><input type="search" id="filter" placeholder="find: sid, socket, room, address, label…" aria-label="filter rows"></div></div>
<section class="panel"><h2>Latest connections <small>swimlanes, newest first</small></h2>${renderLegend()}<div id="lanes"><div class="empty">loading…</div></div></section>
${panel('connections', 'Connections')}
${panel('sockets', 'Sockets')}
<div class="grid">
${panel('namespaces', 'Namespaces')}
${panel('rooms', 'Rooms', "<small>named rooms; each socket's own room is in the socket's row</small>")}
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
