import { describe, expect, it } from 'vitest';
import { foreignClaim, OwnerBook } from '../../src/log/foreign-claim';
import type { LogEvent } from '../../src/log/events';
import { Scenario } from './scenario';

/** Feeds `events` through an OwnerBook as a stream reader does: returns the refusals. */
function refusals(events: LogEvent[]): string[] {
  const owners = new OwnerBook();
  const refused: string[] = [];
  for (const event of events) {
    const claim = foreignClaim(event, owners);
    if (claim) refused.push(claim);
    else owners.note(event);
  }
  return refused;
}

describe("foreign claims: only a session's own node speaks for it", () => {
  it('takes every event of a node about its own sessions and sockets, and new ones of any node', () => {
    const a = new Scenario('node-a');
    const b = new Scenario('node-b');
    a.open(0, 'e1');
    a.connect(1, 'e1', 's1');
    b.open(2, 'e2');
    b.connect(3, 'e2', 's2');
    a.add(4, { type: 'room.join', socketId: 's1', nsp: '/', room: 'r' });
    a.add(5, { type: 'socket.disconnect', socketId: 's1', nsp: '/', reason: 'transport close', initiator: 'client', sid: 'e1' });
    a.add(6, { type: 'conn.close', sid: 'e1', reason: 'transport close', initiator: 'client', transport: 'websocket' });
    expect(refusals([...a.events, ...b.events])).toEqual([]);
  });

  it('refuses another node speaking for a session or socket: joins, leaves, disconnects, closes, connects, errors', () => {
    const a = new Scenario('node-a');
    a.open(0, 'e1');
    a.connect(1, 'e1', 's1');
    const x = new Scenario('node-x');
    x.add(2, { type: 'room.join', socketId: 's1', nsp: '/', room: 'admins-only' });
    x.add(2, { type: 'room.leave', socketId: 's1', nsp: '/', room: 's1' });
    x.add(2, { type: 'socket.disconnect', socketId: 's1', nsp: '/', reason: 'forged', initiator: 'client' });
    x.add(2, { type: 'socket.connect', sid: 'e1', socketId: 's1', nsp: '/', protocol: 5 });
    x.add(2, { type: 'socket.connect', sid: 'e1', socketId: 'new', nsp: '/', protocol: 5 });
    x.add(2, { type: 'conn.close', sid: 'e1', reason: 'forged', initiator: 'client', transport: 'polling' });
    x.add(2, { type: 'conn.heartbeat', sid: 'e1', step: 'ping-sent' });
    x.open(2, 'e1');
    x.add(2, { type: 'app.error', socketId: 's1', nsp: '/', message: 'forged' });
    expect(refusals([...a.events, ...x.events])).toEqual([
      'room.join from node "node-x" about a socket of node "node-a"',
      'room.leave from node "node-x" about a socket of node "node-a"',
      'socket.disconnect from node "node-x" about a socket of node "node-a"',
      'socket.connect from node "node-x" about a socket of node "node-a"',
      'socket.connect from node "node-x" about a session of node "node-a"',
      'conn.close from node "node-x" about a session of node "node-a"',
      'conn.heartbeat from node "node-x" about a session of node "node-a"',
      'conn.open from node "node-x" about a session of node "node-a"',
      'app.error from node "node-x" about a socket of node "node-a"',
    ]);
  });

  it('words refusals without the control characters a forged node name carries', () => {
    const a = new Scenario('node-a');
    a.connect(0, 'e1', 's1');
    const x = new Scenario('\u001b[2Jevil\u009b');
    x.add(1, { type: 'room.join', socketId: 's1', nsp: '/', room: 'r' });
    expect(refusals([...a.events, ...x.events])).toEqual(['room.join from node "?[2Jevil?" about a socket of node "node-a"']);
  });
});
