/**
 * A small two-node log for the replay filter and summary tests: node-a
 * serves a1 (labelled alice, room lobby, ends with a transport close at
 * 12:01:10) and a2 (namespace /admin, ping timeout at 12:02:10); node-b
 * serves b1 (labelled bob, room vip, ping timeout at 12:02:05), b2 (ping
 * timeout at 12:02:08) and b3 (still open).
 */
import type { LogEvent } from '../../src/log/events';
import { Scenario } from '../log/scenario';

const S = 1000;

function connection(s: Scenario, at: number, sid: string, options: { nsp?: string; label?: string; room?: string; protocol?: 3 | 4 } = {}): void {
  const nsp = options.nsp ?? '/';
  s.open(at, sid, { protocol: options.protocol ?? 4 });
  s.add(at + 5, { type: 'socket.connect', sid, socketId: `${sid}-s`, nsp, protocol: 5, ...(options.label !== undefined && { label: options.label }) });
  s.add(at + 5, { type: 'room.join', socketId: `${sid}-s`, nsp, room: `${sid}-s` });
  if (options.room) s.add(at + 6, { type: 'room.join', socketId: `${sid}-s`, nsp, room: options.room });
}

function pingTimeout(s: Scenario, at: number, sid: string, nsp = '/'): void {
  s.add(at - 45 * S, { type: 'conn.heartbeat', sid, step: 'ping-sent' });
  s.add(at - 45 * S + 20, { type: 'conn.heartbeat', sid, step: 'pong-received' });
  s.add(at - 20 * S, { type: 'conn.heartbeat', sid, step: 'ping-sent' });
  s.add(at, { type: 'conn.close', sid, reason: 'ping timeout', initiator: 'server', transport: 'polling' });
  s.add(at, { type: 'socket.disconnect', sid, socketId: `${sid}-s`, nsp, reason: 'ping timeout', initiator: 'server' });
}

export function storyLog(): { a: LogEvent[]; b: LogEvent[] } {
  const a = new Scenario('node-a');
  const b = new Scenario('node-b');
  a.add(0, { type: 'server.start', path: '/socket.io', settings: {} });
  b.add(0, { type: 'server.start', path: '/socket.io', settings: {} });
  connection(a, 1 * S, 'a1', { label: 'alice', room: 'lobby' });
  connection(a, 2 * S, 'a2', { nsp: '/admin' });
  connection(b, 3 * S, 'b1', { label: 'bob', room: 'vip' });
  connection(b, 4 * S, 'b2', { protocol: 3 });
  connection(b, 5 * S, 'b3');
  a.add(70 * S, { type: 'socket.disconnect', sid: 'a1', socketId: 'a1-s', nsp: '/', reason: 'transport close', initiator: 'client' });
  a.add(70 * S, { type: 'conn.close', sid: 'a1', reason: 'transport close', initiator: 'client', transport: 'polling' });
  pingTimeout(b, 125 * S, 'b1');
  pingTimeout(b, 128 * S, 'b2');
  pingTimeout(a, 130 * S, 'a2', '/admin');
  const byTs = (x: LogEvent, y: LogEvent) => x.ts - y.ts;
  return { a: a.events.sort(byTs), b: b.events.sort(byTs) };
}

export const jsonl = (events: readonly LogEvent[]) => events.map((e) => `${JSON.stringify(e)}\n`).join('');
