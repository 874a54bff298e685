/**
 * The demo chat's browser page (`iostate serve`): rooms, messages, and a few
 * buttons that end the connection in different ways, so the inspector has
 * something to explain. It loads the 4.x client the server itself serves at
 * `/socket.io/v4/socket.io.js` (its "silent" button reaches into
 * engine.io-client 6); everything else is inline.
 */
import { escapeHtml as esc } from '../inspect/html';

/** Chat events between this page and serve.ts. */
export const DEMO_EVENTS = {
  join: 'join',
  leave: 'leave',
  say: 'say',
  message: 'message',
  rooms: 'rooms',
  kickMe: 'kick me',
} as const;

const CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f5f6f8;color:#1d2330;height:100vh;display:flex;flex-direction:column}
header{background:#1d2330;color:#fff;padding:10px 18px;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
header h1{font-size:17px;margin:0}
header a{color:#9cc3ff}
#status{font-size:12.5px;color:#b8c0cc}
.wrap{flex:1;display:flex;min-height:0}
aside{width:230px;background:#fff;border-right:1px solid #d5d9e0;padding:12px;overflow:auto}
aside h2{font-size:13px;margin:4px 0 8px;color:#556}
aside ul{list-style:none;margin:0 0 12px;padding:0}
aside li{display:flex;justify-content:space-between;padding:5px 8px;border-radius:6px;cursor:pointer}
aside li:hover{background:#eef2f8}
aside li.current{background:#dbe7fb;font-weight:600}
aside li small{color:#667}
aside form{display:flex;gap:4px}
aside input{flex:1;min-width:0}
aside button,.tools button{margin:3px 0;width:100%}
.chat{flex:1;display:flex;flex-direction:column;min-width:0}
#messages{flex:1;overflow:auto;padding:12px 18px;margin:0;list-style:none}
#messages li{margin:4px 0}
#messages .who{font-weight:600;margin-right:6px}
#messages .at{color:#889;font-size:11px;margin-right:6px}
#messages .info{color:#667;font-style:italic}
form#say{display:flex;gap:8px;padding:10px 18px;border-top:1px solid #d5d9e0;background:#fff}
form#say input{flex:1;padding:7px 9px}
input{padding:5px 7px;border:1px solid #c5cad3;border-radius:5px;font:inherit}
button{padding:5px 10px;border:1px solid #b5bcc8;border-radius:5px;background:#f2f4f8;font:inherit;cursor:pointer}
button:hover{background:#e6eaf1}
.tools p{font-size:11.5px;color:#667;margin:2px 0 6px}
`;

const SCRIPT = `
(function(){
  'use strict';
  var E=${JSON.stringify(DEMO_EVENTS)};
  var $=function(id){return document.getElementById(id)};
  var name='guest-'+Math.random().toString(36).slice(2,6),current='general',joined={};
  $('name').value=name;
  var socket=io({transports:['polling','websocket']});
  function line(text,cls){var li=document.createElement('li');if(cls)li.className=cls;li.textContent=text;$('messages').appendChild(li);li.scrollIntoView()}
  function show(m){
    if(m.room!==current)return;
    var li=document.createElement('li'),at=document.createElement('span'),who=document.createElement('span');
    at.className='at';at.textContent=new Date(m.at).toLocaleTimeString();who.className='who';who.textContent=m.name;
    li.appendChild(at);li.appendChild(who);li.appendChild(document.createTextNode(m.text));$('messages').appendChild(li);li.scrollIntoView();
  }
  function status(){
    var t=socket.connected?'connected as '+socket.id+' over '+socket.io.engine.transport.name:'disconnected';
    $('status').textContent=t;
  }
  function enter(room){
    if(!joined[room]){socket.emit(E.join,room);joined[room]=true}
    current=room;$('messages').textContent='';line('you are in #'+room,'info');renderRooms(lastRooms);
  }
  var lastRooms=[];
  function renderRooms(rooms){
    lastRooms=rooms;var ul=$('rooms');ul.textContent='';
    rooms.forEach(function(r){
      var li=document.createElement('li'),n=document.createElement('span'),c=document.createElement('small');
      n.textContent='#'+r.name;c.textContent=r.members+' here';li.appendChild(n);li.appendChild(c);
      if(r.name===current)li.className='current';
      li.onclick=function(){enter(r.name)};ul.appendChild(li);
    });
  }
  socket.on('connect',function(){joined={};enter(current);status();socket.io.engine.on('upgrade',status)});
  socket.on('disconnect',function(reason){line('disconnected: '+reason,'info');status()});
  socket.on(E.message,show);
  socket.on(E.rooms,renderRooms);
  $('say').onsubmit=function(e){e.preventDefault();var t=$('text').value.trim();if(!t)return;socket.emit(E.say,{room:current,name:$('name').value||name,text:t});$('text').value=''};
  $('new-room').onsubmit=function(e){e.preventDefault();var r=$('room').value.trim();if(r){enter(r);$('room').value=''}};
  $('leave').onclick=function(){if(current!=='general'){socket.emit(E.leave,current);delete joined[current];enter('general')}};
  $('disconnect').onclick=function(){socket.disconnect()};
  $('connect').onclick=function(){socket.connect()};
  $('drop').onclick=function(){socket.io.engine.close()};
  $('kick').onclick=function(){socket.emit(E.kickMe)};
  // Stop answering pings, and quiet the client's own heartbeat timer, so the server gives up first.
  // These are engine.io-client 6 internals of the served bundle: if they change, the client just times out itself.
  $('silent').onclick=function(){
    var e=socket.io.engine,t=e.transport;
    t.off('packet');t.on('packet',function(p){if(p.type!=='ping')e._onPacket(p)});
    e._resetPingTimeout=function(){};e._hasPingExpired=function(){return false};clearTimeout(e._pingTimeoutTimer);
    line('silent: pings go unanswered; the server gives up after pingInterval + pingTimeout','info');
  };
})();
`;

export function renderDemoPage(options: { inspectorPath: string }): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>iostate demo chat</title>
<link rel="icon" href="data:,">
<style>${CSS}</style>
</head>
<body>
<header><h1>iostate demo chat</h1><span id="status">connecting…</span>
<label style="font-size:13px">name <input id="name" size="12"></label>
<a href="${esc(options.inspectorPath)}/" target="_blank">open the inspector</a></header>
<div class="wrap">
<aside>
<h2>Rooms</h2><ul id="rooms"></ul>
<form id="new-room"><input id="room" placeholder="new room" aria-label="new room"><button>join</button></form>
<button id="leave" style="margin-top:6px">leave this room</button>
<div class="tools"><h2>End the connection</h2>
<p>Each button ends it another way; the inspector explains which.</p>
<button id="disconnect">disconnect (client namespace disconnect)</button>
<button id="drop">drop the transport (transport close)</button>
<button id="kick">ask the server to kick me (forced close)</button>
<button id="silent">go silent (ping timeout)</button>
<button id="connect">connect again</button></div>
</aside>
<div class="chat"><ul id="messages"></ul>
<form id="say"><input id="text" autocomplete="off" placeholder="say something" aria-label="message"><button>send</button></form></div>
</div>
<script src="/socket.io/v4/socket.io.js"></script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
