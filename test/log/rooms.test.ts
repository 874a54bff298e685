import { describe, expect, it } from 'vitest';
import { emptyRooms, foldRooms, roomsView } from '../../src/log/projections/rooms';
import { Scenario } from './scenario';

function fold(scenario: Scenario) {
  const state = emptyRooms();
  for (const event of scenario.events) expect(foldRooms(state, event)).toBe(state);
  return roomsView(state);
}

describe('rooms projection', () => {
  it('tracks joins and leaves in both directions', () => {
    const s = new Scenario();
    s.connect(0, 'e1', 'a');
    s.connect(0, 'e2', 'b');
    s.add(1, { type: 'room.join', socketId: 'a', nsp: '/', room: 'lobby' });
    s.add(2, { type: 'room.join', socketId: 'b', nsp: '/', room: 'lobby' });
    s.add(3, { type: 'room.leave', socketId: 'a', nsp: '/', room: 'lobby' });
    const rooms = fold(s);
    expect([...rooms.membersOf('/', 'lobby')!]).toEqual(['b']);
    expect([...rooms.roomsOf('/', 'a')!]).toEqual(['a']);
    expect([...rooms.roomsOf('/', 'b')!]).toEqual(['b', 'lobby']);
    expect([...rooms.roomNames('/')].sort()).toEqual(['a', 'b', 'lobby']);
    expect([...rooms.rooms('/')].map(([room, members]) => [room, [...members]])).toEqual(
      [...rooms.roomNames('/')].map((room) => [room, [...rooms.membersOf('/', room)!]]),
    );
    expect([...rooms.rooms('/nowhere')]).toEqual([]);
    expect([...rooms.socketIds('/')]).toEqual(['a', 'b']);
  });

  it('does not put a socket in any room on connect by itself', () => {
    const s = new Scenario();
    s.add(0, { type: 'socket.connect', sid: 'e1', socketId: 'a', nsp: '/chat', protocol: 5 });
    const rooms = fold(s);
    expect([...rooms.roomNames('/chat')]).toEqual([]);
    expect(rooms.roomsOf('/chat', 'a')?.size).toBe(0);
    expect([...rooms.socketIds('/chat')]).toEqual(['a']);
  });

  it('deletes a room when its last member leaves', () => {
    const s = new Scenario();
    s.connect(0, 'e1', 'a');
    s.add(1, { type: 'room.join', socketId: 'a', nsp: '/', room: 'x' });
    s.add(2, { type: 'room.leave', socketId: 'a', nsp: '/', room: 'x' });
    expect(fold(s).membersOf('/', 'x')).toBeUndefined();
  });

  it('removes a disconnected socket from every room of its namespace only', () => {
    const s = new Scenario();
    s.connect(0, 'e1', 'a', '/');
    s.connect(0, 'e1', 'a', '/chat');
    s.add(1, { type: 'room.join', socketId: 'a', nsp: '/', room: 'x' });
    s.add(1, { type: 'room.join', socketId: 'a', nsp: '/chat', room: 'x' });
    s.add(2, { type: 'socket.disconnect', socketId: 'a', nsp: '/', reason: 'client namespace disconnect', initiator: 'client' });
    const rooms = fold(s);
    expect(rooms.roomsOf('/', 'a')).toBeUndefined();
    expect([...rooms.roomNames('/')]).toEqual([]);
    expect([...rooms.membersOf('/chat', 'x')!]).toEqual(['a']);
  });

  it('forgets a namespace once its last socket has left: a flood of namespaces leaves nothing behind', () => {
    const s = new Scenario();
    for (let i = 0; i < 50; i++) {
      s.connect(i, 'e1', `s${i}`, `/flood-${i}`);
      s.add(i, { type: 'socket.disconnect', socketId: `s${i}`, nsp: `/flood-${i}`, reason: 'client namespace disconnect', initiator: 'client' });
    }
    s.connect(60, 'e1', 'a', '/chat');
    s.connect(60, 'e2', 'b', '/chat');
    s.add(61, { type: 'socket.disconnect', socketId: 'a', nsp: '/chat', reason: 'client namespace disconnect', initiator: 'client' });
    expect([...fold(s).namespaces()]).toEqual(['/chat']);
  });

  it('ignores joins of sockets that are not connected', () => {
    const s = new Scenario();
    s.add(0, { type: 'room.join', socketId: 'ghost', nsp: '/', room: 'x' });
    s.connect(1, 'e1', 'a');
    s.add(2, { type: 'socket.disconnect', socketId: 'a', nsp: '/', reason: 'transport close', initiator: 'client' });
    s.add(3, { type: 'room.join', socketId: 'a', nsp: '/', room: 'late' });
    const rooms = fold(s);
    expect(rooms.membersOf('/', 'x')).toBeUndefined();
    expect(rooms.membersOf('/', 'late')).toBeUndefined();
  });

  it('drops the sockets of a node that went down, and of a node that restarted', () => {
    const a = new Scenario('node-a');
    const b = new Scenario('node-b');
    a.connect(0, 'e1', 'a1');
    b.connect(0, 'e2', 'b1');
    const c = new Scenario('node-c');
    c.connect(0, 'e3', 'c1');
    const state = emptyRooms();
    for (const event of [...a.events, ...b.events, ...c.events]) foldRooms(state, event);
    foldRooms(state, { seq: 9, ts: 9, node: 'node-a', type: 'node.down', down: 'node-b' });
    foldRooms(state, { seq: 1, ts: 10, node: 'node-c', type: 'server.start', path: '/socket.io', settings: {} });
    expect([...roomsView(state).socketIds('/')]).toEqual(['a1']);
    expect([...roomsView(state).roomNames('/')]).toEqual(['a1']);
  });

  it("another node's connect of a connected socket id starts a new socket in no room", () => {
    const forged = new Scenario('node-x');
    forged.connect(0, 'e0', 'victim');
    forged.add(1, { type: 'room.join', socketId: 'victim', nsp: '/', room: 'admins-only' });
    const real = new Scenario('node-a');
    real.connect(2, 'e1', 'victim');
    real.add(3, { type: 'socket.connect', sid: 'e1', socketId: 'victim', nsp: '/', protocol: 5 });
    const state = emptyRooms();
    for (const event of [...forged.events, ...real.events]) foldRooms(state, event);
    expect(roomsView(state).membersOf('/', 'admins-only')).toBeUndefined();
    expect([...roomsView(state).roomsOf('/', 'victim')!]).toEqual(['victim']);
    // Its own node connecting it again (announcing its sockets) keeps its rooms.
    expect(state.namespaces.get('/')!.nodes.get('victim')).toBe('node-a');
  });
});
