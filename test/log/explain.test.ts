import { describe, expect, it } from 'vitest';
import { replay } from '../../src/log/replay';
import { Scenario } from './scenario';

/** Replays the scenario and returns the explanations of connection `sid` and of its socket `socketId`. */
function explain(s: Scenario, sid = 'e1', socketId = 'a') {
  const result = replay(s.events);
  const connection = result.connections.find((c) => c.id === sid);
  const socket = result.sockets.find((x) => x.id === socketId);
  return { connection: connection?.explanation, socket: socket?.explanation, connectionReason: connection?.reason, socketReason: socket?.reason };
}

/** A session with socket "a" on "/", closed by the engine for `reason`, the socket following it. */
function engineClose(s: Scenario, at: number, close: Partial<Parameters<Scenario['add']>[1]> & { reason: string }) {
  s.add(at, { type: 'socket.disconnect', socketId: 'a', nsp: '/', reason: close.reason, initiator: 'client', sid: 'e1' });
  s.add(at, { type: 'conn.close', sid: 'e1', initiator: 'client', transport: 'websocket', ...close } as Parameters<Scenario['add']>[1]);
}

function upgraded(s: Scenario): void {
  s.open(0, 'e1');
  s.connect(10, 'e1', 'a');
  s.add(20, { type: 'conn.upgrade', sid: 'e1', step: 'probe', to: 'websocket' });
  s.add(30, { type: 'conn.upgrade', sid: 'e1', step: 'upgraded', to: 'websocket' });
}

describe('disconnect explanations: engine close reasons', () => {
  it('ping timeout (v4): last pong, the unanswered ping and pingTimeout', () => {
    const s = new Scenario();
    upgraded(s);
    s.add(5_100, { type: 'conn.heartbeat', sid: 'e1', step: 'ping-sent' });
    s.add(5_120, { type: 'conn.heartbeat', sid: 'e1', step: 'pong-received' });
    s.add(30_125, { type: 'conn.heartbeat', sid: 'e1', step: 'ping-sent' });
    engineClose(s, 50_125, { reason: 'ping timeout', initiator: 'server' });
    const { connection, socket, connectionReason } = explain(s);
    expect(connectionReason).toBe('ping timeout');
    expect(connection).toBe('ping timeout: last pong 12:00:05.120, ping sent 12:00:30.125, no pong within pingTimeout 20000 ms');
    expect(socket).toBe('ping timeout: last pong 12:00:05.120, ping sent 12:00:30.125, no pong within pingTimeout 20000 ms (connection e1)');
  });

  it('ping timeout prefers the times the server put on conn.close', () => {
    const s = new Scenario();
    upgraded(s);
    engineClose(s, 50_000, { reason: 'ping timeout', initiator: 'server', lastPongAt: s.start + 1_000, lastPingAt: s.start + 30_000 });
    expect(explain(s).connection).toBe('ping timeout: last pong 12:00:01.000, ping sent 12:00:30.000, no pong within pingTimeout 20000 ms');
  });

  it('ping timeout with no pong at all names the opening time', () => {
    const s = new Scenario();
    upgraded(s);
    s.add(25_000, { type: 'conn.heartbeat', sid: 'e1', step: 'ping-sent' });
    engineClose(s, 45_000, { reason: 'ping timeout', initiator: 'server' });
    expect(explain(s).connection).toBe(
      'ping timeout: no pong since the connection opened at 12:00:00.000, ping sent 12:00:25.000, no pong within pingTimeout 20000 ms',
    );
  });

  it('ping timeout (v3): the client stopped pinging', () => {
    const s = new Scenario();
    s.open(0, 'e1', { protocol: 3 });
    s.connect(10, 'e1', 'a');
    s.add(25_000, { type: 'conn.heartbeat', sid: 'e1', step: 'ping-received' });
    s.add(25_001, { type: 'conn.heartbeat', sid: 'e1', step: 'pong-sent' });
    engineClose(s, 70_001, { reason: 'ping timeout', initiator: 'server', transport: 'polling' });
    expect(explain(s).connection).toBe('ping timeout: last ping from the client 12:00:25.000, none within pingInterval + pingTimeout 45000 ms');
  });

  it('transport close: the websocket close code, its meaning and reason', () => {
    const s = new Scenario();
    upgraded(s);
    engineClose(s, 9_000, { reason: 'transport close', wsCode: 1001 });
    const { connection, socket } = explain(s);
    expect(connection).toBe('transport close: websocket closed by the client with code 1001 (going away)');
    expect(socket).toBe('transport close: websocket closed by the client with code 1001 (going away) (connection e1)');

    const t = new Scenario();
    upgraded(t);
    engineClose(t, 9_000, { reason: 'transport close', wsCode: 4000, wsReason: 'bye' });
    expect(explain(t).connection).toBe('transport close: websocket closed by the client with code 4000 and reason "bye"');
  });

  it('transport close over polling with its description', () => {
    const s = new Scenario();
    s.open(0, 'e1');
    s.connect(10, 'e1', 'a');
    engineClose(s, 500, { reason: 'transport close', transport: 'polling', description: 'close packet received' });
    expect(explain(s).connection).toBe('transport close: polling closed by the client: close packet received');
  });

  it('transport error: an oversize message names its size and the limit', () => {
    const s = new Scenario();
    upgraded(s);
    s.add(1_000, { type: 'conn.error', sid: 'e1', transport: 'websocket', message: 'Max payload size exceeded', size: 1048577, limit: 1000000 });
    engineClose(s, 1_000, { reason: 'transport error', initiator: 'server', wsCode: 1009 });
    const { connection, socket } = explain(s);
    expect(connection).toBe('transport error: message of 1048577 bytes exceeds maxHttpBufferSize 1000000 with code 1009 (message too big)');
    expect(socket).toContain('message of 1048577 bytes exceeds maxHttpBufferSize 1000000');
  });

  it('transport error: a limit without a size above it names only the limit', () => {
    const s = new Scenario();
    upgraded(s);
    s.add(1_000, { type: 'conn.error', sid: 'e1', transport: 'websocket', message: 'Max payload size exceeded', size: 38, limit: 1000 });
    engineClose(s, 1_000, { reason: 'transport error', initiator: 'server', wsCode: 1009 });
    expect(explain(s).connection).toBe('transport error: message over maxHttpBufferSize 1000 with code 1009 (message too big)');
  });

  it('transport error: the transport error message', () => {
    const s = new Scenario();
    upgraded(s);
    s.add(900, { type: 'conn.error', sid: 'e1', transport: 'websocket', message: 'Invalid WebSocket frame: RSV1 must be clear' });
    engineClose(s, 1_000, { reason: 'transport error', initiator: 'client', wsCode: 1002 });
    expect(explain(s).connection).toBe('transport error: websocket error: Invalid WebSocket frame: RSV1 must be clear with code 1002 (protocol error)');
  });

  it('transport error without a recorded error says so', () => {
    const s = new Scenario();
    s.open(0, 'e1');
    engineClose(s, 1_000, { reason: 'transport error', transport: 'polling' });
    expect(explain(s).connection).toBe('transport error: polling failed, no error recorded');
  });

  it('forced close after socket.disconnect(true)', () => {
    const s = new Scenario();
    upgraded(s);
    s.add(2_000, { type: 'socket.disconnect', socketId: 'a', nsp: '/', reason: 'server namespace disconnect', initiator: 'application', sid: 'e1' });
    s.add(2_000, { type: 'conn.close', sid: 'e1', reason: 'forced close', initiator: 'server', transport: 'websocket' });
    const { connection, socket } = explain(s);
    expect(connection).toBe('forced close: the server closed the connection after socket.disconnect(true) on /');
    expect(socket).toBe('server namespace disconnect: socket.disconnect() called by the application');
  });

  it('forced close by the engine alone', () => {
    const s = new Scenario();
    s.open(0, 'e1');
    s.add(2_000, { type: 'conn.close', sid: 'e1', reason: 'forced close', initiator: 'server', transport: 'polling' });
    expect(explain(s).connection).toBe('forced close: the server closed the connection');
  });

  it('forced close after an undecodable packet names the error', () => {
    const s = new Scenario();
    upgraded(s);
    s.add(3_000, { type: 'conn.error', sid: 'e1', transport: 'websocket', message: 'parse error: invalid payload' });
    engineClose(s, 3_000, { reason: 'forced close', initiator: 'server' });
    const { connection, socket } = explain(s);
    expect(connection).toBe('forced close: the server closed the connection after an error on websocket: parse error: invalid payload');
    expect(socket).toBe('forced close: the server closed the connection after an error on websocket: parse error: invalid payload (connection e1)');
  });

  it('parse error names the decoding failure', () => {
    const s = new Scenario();
    upgraded(s);
    s.add(3_000, { type: 'conn.error', sid: 'e1', transport: 'websocket', message: 'parse error: invalid packet type "9"' });
    engineClose(s, 3_000, { reason: 'parse error', initiator: 'server' });
    const { connection, socket } = explain(s);
    expect(connection).toBe('parse error: the client sent a packet that could not be decoded (invalid packet type "9")');
    expect(socket).toBe('parse error: the client sent a packet that could not be decoded (invalid packet type "9") (connection e1)');
  });

  it('server shutting down', () => {
    const s = new Scenario();
    upgraded(s);
    s.add(4_000, { type: 'socket.disconnect', socketId: 'a', nsp: '/', reason: 'server shutting down', initiator: 'server', sid: 'e1' });
    s.add(4_000, { type: 'conn.close', sid: 'e1', reason: 'server shutting down', initiator: 'server', transport: 'websocket' });
    const { connection, socket } = explain(s);
    expect(connection).toBe('server shutting down: io.close() called');
    expect(socket).toBe('server shutting down: io.close() called');
  });

  it('an unknown reason keeps the reason and the description', () => {
    const s = new Scenario();
    s.open(0, 'e1');
    s.add(1, { type: 'conn.close', sid: 'e1', reason: 'cosmic ray', description: 'bit flipped', initiator: 'server', transport: 'polling' });
    expect(explain(s).connection).toBe('cosmic ray: bit flipped');
  });

  it('a connection still open has no explanation', () => {
    const s = new Scenario();
    upgraded(s);
    expect(explain(s)).toEqual({ connection: undefined, socket: undefined, connectionReason: undefined, socketReason: undefined });
  });
});

describe('disconnect explanations: socket reasons', () => {
  it('client namespace disconnect', () => {
    const s = new Scenario();
    upgraded(s);
    s.connect(40, 'e1', 'b', '/chat');
    s.add(50, { type: 'socket.disconnect', socketId: 'b', nsp: '/chat', reason: 'client namespace disconnect', initiator: 'client', sid: 'e1' });
    expect(explain(s, 'e1', 'b').socket).toBe('client namespace disconnect: the client left namespace /chat (socket.disconnect() on the client)');
  });

  it('server namespace disconnect by the server rather than the application', () => {
    const s = new Scenario();
    upgraded(s);
    s.add(50, { type: 'socket.disconnect', socketId: 'a', nsp: '/', reason: 'server namespace disconnect', initiator: 'server', sid: 'e1' });
    expect(explain(s).socket).toBe('server namespace disconnect: the server disconnected the socket from namespace /');
  });

  it('a socket reason that differs from its connection names both', () => {
    const s = new Scenario();
    upgraded(s);
    s.add(50, { type: 'socket.disconnect', socketId: 'a', nsp: '/', reason: 'transport error', initiator: 'client', sid: 'e1' });
    s.add(50, { type: 'conn.close', sid: 'e1', reason: 'transport close', initiator: 'client', transport: 'websocket', wsCode: 1006 });
    expect(explain(s).socket).toBe(
      'transport error: connection e1 closed with "transport close": websocket closed by the client with code 1006 (abnormal closure, no close frame)',
    );
  });

  it('a socket whose connection close was not recorded', () => {
    const s = new Scenario();
    upgraded(s);
    s.add(50, { type: 'socket.disconnect', socketId: 'a', nsp: '/', reason: 'transport close', initiator: 'client', sid: 'e1' });
    expect(explain(s).socket).toBe('transport close: no close of connection e1 was recorded');
  });

  it('forced server close', () => {
    const s = new Scenario();
    upgraded(s);
    s.add(50, { type: 'socket.disconnect', socketId: 'a', nsp: '/', reason: 'forced server close', initiator: 'server', sid: 'e1' });
    expect(explain(s).socket).toBe('forced server close: the server closed connection e1 (socket.disconnect(true) or a server-side close)');
  });

  it('sockets and connections of a node that restarted or went down', () => {
    const s = new Scenario('node-a');
    upgraded(s);
    s.add(60_000, { type: 'server.start', path: '/socket.io', settings: {} });
    const { connection, socket } = explain(s);
    expect(connection).toBe('no close recorded: node node-a restarted at 12:01:00.000');
    expect(socket).toBe('no disconnect recorded: node node-a restarted at 12:01:00.000');

    const other = new Scenario('node-b');
    other.add(70_000, { type: 'node.down', down: 'node-a' });
    const result = replay([...s.events.slice(0, -1), ...other.events]);
    expect(result.connections[0]?.explanation).toBe('no close recorded: node node-a went down at 12:01:10.000');
    expect(result.connections[0]?.state).toBe('lost');
  });

  it('sockets and connections out of sight after a leave: their node left the cluster, or this node left theirs', () => {
    const s = new Scenario('node-a');
    upgraded(s);
    s.add(60_000, { type: 'cluster.leave', cluster: 'socket.io' });
    const observer = new Scenario('node-b');
    observer.add(60_010, { type: 'node.down', down: 'node-a', reason: 'left' });
    const left = replay([...s.events, ...observer.events]);
    expect(left.connections[0]).toMatchObject({
      state: 'left',
      explanation: "no close recorded: node node-a left the cluster at 12:01:00.010; it went on there, out of this cluster's sight",
    });
    expect(left.sockets[0]).toMatchObject({
      state: 'left',
      explanation: "no disconnect recorded: node node-a left the cluster at 12:01:00.010; it went on there, out of this cluster's sight",
    });
    // In node-b's own log, once node-b moved to another cluster.
    const parted = new Scenario('node-b');
    parted.add(60_020, { type: 'node.down', down: 'node-a', reason: 'this node left' });
    expect(replay([...s.events.slice(0, -1), ...parted.events]).connections[0]).toMatchObject({
      state: 'left',
      explanation: 'no close recorded: this node left the cluster of node node-a at 12:01:00.020; it went on there, out of sight',
    });
  });
});
