import { describe, expect, it } from 'vitest';
import { EventLog } from '../../src/log/event-log';
import { replay, replayJson } from '../../src/log/replay';
import { NOON, Scenario } from './scenario';

/** Two connections: e1 upgrades, joins "lobby" and times out; e2 stays on polling and is still open. */
function twoConnections(): Scenario {
  const s = new Scenario();
  s.open(0, 'e1');
  s.connect(10, 'e1', 'a');
  s.add(20, { type: 'room.join', socketId: 'a', nsp: '/', room: 'lobby' });
  s.add(30, { type: 'conn.upgrade', sid: 'e1', step: 'probe', to: 'websocket' });
  s.add(40, { type: 'conn.upgrade', sid: 'e1', step: 'upgraded', to: 'websocket' });
  s.open(1_000, 'e2', { remoteAddress: '10.0.0.2' });
  s.connect(1_010, 'e2', 'b');
  s.add(1_020, { type: 'room.join', socketId: 'b', nsp: '/', room: 'lobby' });
  s.add(25_000, { type: 'conn.heartbeat', sid: 'e1', step: 'ping-sent' });
  s.add(45_000, { type: 'socket.disconnect', socketId: 'a', nsp: '/', reason: 'ping timeout', initiator: 'server', sid: 'e1' });
  s.add(45_000, { type: 'conn.close', sid: 'e1', reason: 'ping timeout', initiator: 'server', transport: 'websocket' });
  return s;
}

describe('replay', () => {
  it('explains a socket whose namespace name was cut, and shows what a connection’s share held back', () => {
    const log = new EventLog({ node: 'n', perConnection: { records: 4, windowMs: 60_000 } });
    const nsp = `/dyn-${'x'.repeat(20_000)}`;
    // A 2.x socket outside "/": its id holds the namespace name, so it is cut too, the same way each time.
    const socketId = `${nsp}#e1`;
    log.record({
      type: 'conn.open',
      sid: 'e1',
      protocol: 3,
      transport: 'polling',
      remoteAddress: '127.0.0.1',
      pingInterval: 25000,
      pingTimeout: 5000,
      upgradeTimeout: 10000,
      maxPayload: 1e6,
      upgrades: [],
    });
    log.record({ type: 'nsp.create', nsp, parent: '/^\\/dyn-/', sid: 'e1' });
    log.record({ type: 'socket.connect', sid: 'e1', socketId, nsp, protocol: 4 });
    log.record({ type: 'room.join', socketId, nsp, room: socketId });
    for (let i = 0; i < 3; i++) log.record({ type: 'socket.refused', sid: 'e1', nsp: `/r${i}`, message: 'no' });
    log.record({ type: 'socket.disconnect', sid: 'e1', socketId, nsp, reason: 'transport close', initiator: 'client' });
    log.record({ type: 'conn.close', sid: 'e1', reason: 'transport close', initiator: 'client', transport: 'polling' });
    const result = replay(log.events());
    const [socket] = result.sockets;
    expect(result.sockets).toHaveLength(1);
    expect(socket).toMatchObject({ connection: 'e1', state: 'disconnected', reason: 'transport close' });
    expect(socket!.id).toMatch(/^\/dyn-x+…\[cut: 20008 chars, sha256 [0-9a-f]{12}\]$/);
    expect(socket!.rooms).toEqual([socket!.id]);
    const timeline = result.connections[0]!.timeline.map((entry) => entry.text);
    expect(timeline).toContain(
      '2 record(s) of connection e1 not logged: over its share of the log (socket.refused 2); and 2 more refused namespace connection(s) than listed',
    );
  });

  it('reports every connection and socket with reasons, transports and rooms', () => {
    const result = replay(twoConnections().events);
    expect(result.folded).toBe(13);
    expect(result.connections.map((c) => [c.id, c.state, c.transports, c.sockets, c.reason])).toEqual([
      ['e1', 'closed', ['polling', 'websocket'], ['a'], 'ping timeout'],
      ['e2', 'open', ['polling'], ['b'], undefined],
    ]);
    expect(result.sockets.map((s) => [s.id, s.connection, s.state, s.rooms])).toEqual([
      ['a', 'e1', 'disconnected', ['a', 'lobby']],
      ['b', 'e2', 'connected', ['b', 'lobby']],
    ]);
    expect([...result.projections.rooms.membersOf('/', 'lobby')!]).toEqual(['b']);
  });

  it('gives the state at a time', () => {
    const result = replay(twoConnections().events, { at: NOON + 1_015 });
    expect(result.connections.map((c) => [c.id, c.state])).toEqual([
      ['e1', 'open'],
      ['e2', 'open'],
    ]);
    expect(result.connections[0]?.explanation).toBeUndefined();
    expect([...result.projections.rooms.membersOf('/', 'lobby')!]).toEqual(['a']);
    expect(result.sockets.find((s) => s.id === 'b')?.rooms).toEqual(['b']);
  });

  it('keeps a timeline per connection and per socket', () => {
    const result = replay(twoConnections().events);
    const e1 = result.connections.find((c) => c.id === 'e1')!;
    expect(e1.timeline.map((t) => t.text)).toEqual([
      'connection e1 opened over polling (Engine.IO v4) from 127.0.0.1; pingInterval 25000 ms, pingTimeout 20000 ms, maxPayload 1000000 bytes, upgrades to websocket',
      'socket a connected to / (Socket.IO v5)',
      'socket a joined a',
      'socket a joined lobby',
      'upgrade to websocket: probing',
      'upgraded to websocket',
      'ping sent',
      'socket a disconnected from /: ping timeout (by the server)',
      'connection closed: ping timeout (by the server, over websocket)',
    ]);
    expect(result.sockets.find((s) => s.id === 'b')!.timeline.map((t) => t.type)).toEqual(['socket.connect', 'room.join', 'room.join']);
  });

  it('filters by connection id or by socket id', () => {
    const events = twoConnections().events;
    expect(replay(events, { sid: 'e2' }).connections.map((c) => c.id)).toEqual(['e2']);
    const bySocket = replay(events, { sid: 'a' });
    expect(bySocket.connections.map((c) => c.id)).toEqual(['e1']);
    expect(bySocket.sockets.map((s) => s.id)).toEqual(['a']);
    expect(replay(events, { sid: 'nope' }).connections).toEqual([]);
  });

  it('puts server events on the server timeline', () => {
    const s = new Scenario();
    s.add(0, { type: 'server.start', path: '/socket.io', settings: { pingInterval: 25000 } });
    s.add(1, { type: 'nsp.create', nsp: '/chat' });
    s.add(2, { type: 'app.error', message: 'boom' });
    expect(replay(s.events).server.map((t) => t.text)).toEqual(['server started on /socket.io', 'namespace /chat created', 'application error: boom']);
  });

  it('renders the --json document', () => {
    const json = replayJson(replay(twoConnections().events));
    expect(json.connections[0]).toEqual({
      id: 'e1',
      state: 'closed',
      sockets: ['a'],
      transports: ['polling', 'websocket'],
      reason: 'ping timeout',
      explanation: 'ping timeout: no pong since the connection opened at 12:00:00.000, ping sent 12:00:25.000, no pong within pingTimeout 20000 ms',
      protocol: 4,
      remoteAddress: '127.0.0.1',
      openedAt: '2026-01-01T12:00:00.000Z',
      closedAt: '2026-01-01T12:00:45.000Z',
    });
    expect(json.sockets[1]).toEqual({
      id: 'b',
      nsp: '/',
      connection: 'e2',
      state: 'connected',
      reason: null,
      explanation: null,
      rooms: ['b', 'lobby'],
      connectedAt: '2026-01-01T12:00:01.010Z',
      disconnectedAt: null,
    });
    expect(json.at).toBeNull();
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});
