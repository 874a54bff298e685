// One scenario written by hand, played in every run of the random test
// before the generated ones: it touches each kind of step, so the
// comparison is never over scenarios that happen to observe little, and
// the test states what socket.io 2.5.1 does with it.
import type { Scenario } from './steps';

export const KNOWN_SCENARIO: Scenario = {
  clients: [
    { transport: 'websocket', opens: ['/a'] },
    { transport: 'polling', opens: ['/dyn-1', '/a'] },
    { transport: 'websocket', opens: ['/fn'] },
  ],
  steps: [
    { t: 'join', s: { c: 0, k: 0 }, rooms: ['r1', 'r2'], peek: false },
    { t: 'join', s: { c: 1, k: 0 }, rooms: 'r1', peek: true },
    { t: 'socketBroadcast', s: { c: 0, k: 0 }, rooms: ['r1'], via: 'to', flags: {}, payload: 'to r1' },
    { t: 'broadcast', from: 'io', rooms: ['r1', { id: { c: 2, k: 0 } }], via: 'in', flags: { binary: true }, payload: { $bytes: [1, 2, 3] } },
    { t: 'clientRelay', s: { c: 1, k: 0 }, room: null },
    { t: 'ask', s: { c: 2, k: 1 }, payload: 'q' },
    { t: 'clientEmitAck', s: { c: 1, k: 1 }, args: [{ $bytes: [9] }, 'x'] },
    { t: 'refuse', c: 2, on: true },
    { t: 'open', c: 2, nsp: '/a' },
    { t: 'open', c: 2, nsp: '/nope' },
    { t: 'leave', s: { c: 0, k: 0 }, room: 'r2', peek: false },
    { t: 'clients', from: 'io.sockets', rooms: ['r1'] },
    { t: 'adapterRooms', from: 'io.sockets' },
    { t: 'announceLeaving', on: true },
    { t: 'roomOnConnection', room: 'r2' },
    { t: 'kick', s: { c: 1, k: 1 }, close: false },
    { t: 'kick', s: { c: 0, k: 0 }, close: true },
    { t: 'broadcast', from: 'dyn-parent', rooms: [], via: 'to', flags: {}, payload: 'dyn' },
    { t: 'clientLeave', s: { c: 2, k: 1 } },
    { t: 'reconnect', c: 0 },
    { t: 'kickOnConnection', c: 2, on: true },
    { t: 'reconnect', c: 2 },
    { t: 'connectedList', from: 'io.sockets' },
    { t: 'adapterRooms', from: { c: 0, k: 0 } },
  ],
};
