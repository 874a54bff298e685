/**
 * A hand-written log of five connections that between them meet every
 * marker the timeline draws and the common ways a connection ends:
 *   c-upgrade   polling → websocket, two namespaces, joins and a leave, closed by the client (1001)
 *   c-timeout   websocket, pings unanswered: ping timeout
 *   c-oversize  Engine.IO v3, failed upgrade, a message over maxHttpBufferSize: transport error
 *   c-kicked    a refused namespace, then socket.disconnect(true) by the application
 *   c-open      still open when the log ends
 */
import type { EventLog } from '../../src/log/event-log';
import type { LogEvent, LogEventInput } from '../../src/log/events';

type ConnOpenInput = Extract<LogEventInput, { type: 'conn.open' }>;

/** 2026-01-01T12:00:00.000Z. */
export const NOON = Date.UTC(2026, 0, 1, 12, 0, 0);

export function chatLog(): LogEvent[] {
  const events: LogEvent[] = [];
  let seq = 0;
  const at = (seconds: number, input: LogEventInput) => {
    events.push({ ...input, seq: ++seq, ts: NOON + Math.round(seconds * 1000), node: 'demo' } as LogEvent);
  };
  const open = (t: number, sid: string, protocol: 3 | 4, transport: 'polling' | 'websocket') =>
    at(t, {
      type: 'conn.open',
      sid,
      protocol,
      transport,
      remoteAddress: '127.0.0.1',
      pingInterval: 25000,
      pingTimeout: 20000,
      upgradeTimeout: 10000,
      maxPayload: 1_000_000,
      upgrades: transport === 'polling' ? ['websocket'] : [],
    });
  const connect = (t: number, sid: string, socketId: string, nsp: string, protocol: 4 | 5 = 5) => {
    at(t, { type: 'socket.connect', sid, socketId, nsp, protocol });
    at(t, { type: 'room.join', socketId, nsp, room: socketId });
  };
  const join = (t: number, socketId: string, nsp: string, room: string) => at(t, { type: 'room.join', socketId, nsp, room });

  at(0, { type: 'server.start', path: '/socket.io', settings: { pingInterval: 25000, pingTimeout: 20000 } });
  at(0, { type: 'nsp.create', nsp: '/' });
  at(0, { type: 'nsp.create', nsp: '/chat' });

  open(1, 'c-upgrade', 4, 'polling');
  connect(1.02, 'c-upgrade', 'c-upgrade', '/');
  connect(1.03, 'c-upgrade', '/chat#c-upgrade', '/chat');
  at(1.1, { type: 'conn.upgrade', sid: 'c-upgrade', step: 'probe', to: 'websocket' });
  at(1.15, { type: 'conn.upgrade', sid: 'c-upgrade', step: 'upgraded', to: 'websocket' });
  join(2, '/chat#c-upgrade', '/chat', 'general');
  join(3, '/chat#c-upgrade', '/chat', 'random');

  open(4, 'c-timeout', 4, 'websocket');
  connect(4.01, 'c-timeout', 'c-timeout', '/');

  open(5, 'c-oversize', 3, 'polling');
  connect(5.01, 'c-oversize', 'c-oversize', '/', 4);
  at(5.1, { type: 'conn.upgrade', sid: 'c-oversize', step: 'probe', to: 'websocket' });
  at(15.1, { type: 'conn.upgrade', sid: 'c-oversize', step: 'failed', to: 'websocket', reason: 'upgrade timeout' });

  open(6, 'c-kicked', 4, 'websocket');
  connect(6.01, 'c-kicked', 'c-kicked', '/');
  at(6.02, { type: 'socket.refused', sid: 'c-kicked', nsp: '/admin', message: 'not authorized' });
  join(7, 'c-kicked', '/', 'lobby');

  at(20, { type: 'conn.heartbeat', sid: 'c-oversize', step: 'ping-received' });
  at(20, { type: 'conn.heartbeat', sid: 'c-oversize', step: 'pong-sent' });
  at(21, { type: 'app.error', socketId: 'c-kicked', nsp: '/', message: 'TypeError: cannot read properties of undefined\n    at handler' });
  at(22, { type: 'room.leave', socketId: '/chat#c-upgrade', nsp: '/chat', room: 'random' });
  at(25, { type: 'room.leave', socketId: 'c-kicked', nsp: '/', room: 'lobby' });
  at(25.5, { type: 'socket.disconnect', socketId: 'c-kicked', nsp: '/', reason: 'server namespace disconnect', initiator: 'application', sid: 'c-kicked' });
  at(25.5, { type: 'conn.close', sid: 'c-kicked', reason: 'forced close', initiator: 'server', transport: 'websocket' });

  at(26, { type: 'conn.heartbeat', sid: 'c-upgrade', step: 'ping-sent' });
  at(26.01, { type: 'conn.heartbeat', sid: 'c-upgrade', step: 'pong-received' });
  at(29, { type: 'conn.heartbeat', sid: 'c-timeout', step: 'ping-sent' });
  at(29.02, { type: 'conn.heartbeat', sid: 'c-timeout', step: 'pong-received' });

  at(31, { type: 'conn.error', sid: 'c-oversize', transport: 'polling', message: 'payload too large', size: 2_000_000, limit: 1_000_000 });
  at(31, { type: 'conn.close', sid: 'c-oversize', reason: 'transport error', initiator: 'client', transport: 'polling', description: 'payload too large' });
  at(31, { type: 'socket.disconnect', socketId: 'c-oversize', nsp: '/', reason: 'transport error', initiator: 'client', sid: 'c-oversize' });

  open(40, 'c-open', 4, 'websocket');
  connect(40.01, 'c-open', 'c-open', '/');
  join(41, 'c-open', '/', 'lobby');

  at(51, { type: 'conn.heartbeat', sid: 'c-upgrade', step: 'ping-sent' });
  at(51.02, { type: 'conn.heartbeat', sid: 'c-upgrade', step: 'pong-received' });
  at(54, { type: 'conn.heartbeat', sid: 'c-timeout', step: 'ping-sent' });
  at(60, { type: 'conn.close', sid: 'c-upgrade', reason: 'transport close', initiator: 'client', transport: 'websocket', wsCode: 1001 });
  at(60, { type: 'socket.disconnect', socketId: 'c-upgrade', nsp: '/', reason: 'transport close', initiator: 'client', sid: 'c-upgrade' });
  at(60, { type: 'socket.disconnect', socketId: '/chat#c-upgrade', nsp: '/chat', reason: 'transport close', initiator: 'client', sid: 'c-upgrade' });
  at(74, {
    type: 'conn.close',
    sid: 'c-timeout',
    reason: 'ping timeout',
    initiator: 'server',
    transport: 'websocket',
    lastPingAt: NOON + 54_000,
    lastPongAt: NOON + 29_020,
  });
  at(74, { type: 'socket.disconnect', socketId: 'c-timeout', nsp: '/', reason: 'ping timeout', initiator: 'server', sid: 'c-timeout' });
  return events;
}

/** A `conn.open` with engine.io's default timings: by default a v4 polling connection that may upgrade. */
export function connOpen(sid: string, shape: Partial<Pick<ConnOpenInput, 'protocol' | 'transport' | 'upgrades'>> = {}): ConnOpenInput {
  return {
    type: 'conn.open',
    sid,
    protocol: shape.protocol ?? 4,
    transport: shape.transport ?? 'polling',
    remoteAddress: '10.0.0.1',
    pingInterval: 25000,
    pingTimeout: 20000,
    upgradeTimeout: 10000,
    maxPayload: 1e6,
    upgrades: shape.upgrades ?? ['websocket'],
  };
}

/** Records an idle WebSocket connection `sid-<i>` with one socket on '/', in its own room and in `room`. */
export function recordIdleSocket(log: EventLog, i: number, room: string): void {
  const sid = `sid-${i}`;
  log.record(connOpen(sid, { transport: 'websocket', upgrades: [] }));
  log.record({ type: 'socket.connect', sid, socketId: sid, nsp: '/', protocol: 5 });
  log.record({ type: 'room.join', socketId: sid, nsp: '/', room: sid });
  log.record({ type: 'room.join', socketId: sid, nsp: '/', room });
}
