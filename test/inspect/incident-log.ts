/**
 * A log at incident scale for the timeline's tests: an hour of three nodes
 * (edge-a, edge-b, edge-c), connections that come and go with the usual
 * ends (clients closing their tab, some killed, a few ping timeouts), and
 * three incidents: a ping-timeout storm on edge-b between 12:30 and 12:32,
 * edge-c restarting at 12:45 (its open connections are lost), and the
 * connections still open at 13:00. Deterministic: the same log every time.
 */
import type { LogEvent, LogEventInput } from '../../src/log/events';

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
export const STORM = { node: 'edge-b', from: T0 + 30 * 60_000, to: T0 + 32 * 60_000 };
export const RESTART = { node: 'edge-c', at: T0 + 45 * 60_000 };
const END = T0 + 60 * 60_000;
const NODES = ['edge-a', 'edge-b', 'edge-c'];

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function incidentLog(connections: number): LogEvent[] {
  const next = random(16);
  const events: LogEventInput[] = [];
  const stamps: { ts: number; node: string }[] = [];
  const at = (ts: number, node: string, input: LogEventInput) => {
    events.push(input);
    stamps.push({ ts: Math.round(ts), node });
  };
  for (const node of NODES) at(T0, node, { type: 'server.start', path: '/socket.io', settings: {} });
  at(RESTART.at, RESTART.node, { type: 'server.start', path: '/socket.io', settings: {} });

  for (let i = 0; i < connections; i++) {
    const node = NODES[i % NODES.length]!;
    const sid = `${node.slice(-1)}${String(i).padStart(6, '0')}`;
    const opened = T0 + next() * 58 * 60_000;
    const polling = next() < 0.3;
    at(opened, node, {
      type: 'conn.open',
      sid,
      protocol: next() < 0.2 ? 3 : 4,
      transport: polling ? 'polling' : 'websocket',
      remoteAddress: `198.51.100.${i % 250}`,
      pingInterval: 25000,
      pingTimeout: 20000,
      upgradeTimeout: 10000,
      maxPayload: 1e6,
      upgrades: polling ? ['websocket'] : [],
    });
    at(opened + 5, node, { type: 'socket.connect', sid, socketId: sid, nsp: '/', protocol: 5, label: `user:${i % 997}` });
    at(opened + 6, node, { type: 'room.join', socketId: sid, nsp: '/', room: sid });
    if (polling) {
      at(opened + 40, node, { type: 'conn.upgrade', sid, step: 'probe', to: 'websocket' });
      at(opened + 60, node, { type: 'conn.upgrade', sid, step: 'upgraded', to: 'websocket' });
    }
    const transport = 'websocket' as const;
    let closed = opened + 5_000 + next() * 20 * 60_000;
    const inStorm = node === STORM.node && opened < STORM.from && closed > STORM.from;
    if (inStorm) closed = STORM.from + next() * (STORM.to - STORM.from);
    if (node === RESTART.node && opened < RESTART.at && closed > RESTART.at) continue; // lost with the restart
    if (closed > END) continue; // still open
    const roll = next();
    const close: LogEventInput = inStorm
      ? {
          type: 'conn.close',
          sid,
          reason: 'ping timeout',
          initiator: 'server',
          transport,
          lastPingAt: Math.round(closed - 20_000),
          lastPongAt: Math.round(closed - 45_000),
        }
      : roll < 0.7
        ? { type: 'conn.close', sid, reason: 'transport close', initiator: 'client', transport, wsCode: 1001 }
        : roll < 0.85
          ? { type: 'conn.close', sid, reason: 'transport close', initiator: 'client', transport, wsCode: 1006 }
          : roll < 0.95
            ? { type: 'conn.close', sid, reason: 'ping timeout', initiator: 'server', transport }
            : { type: 'conn.close', sid, reason: 'transport error', initiator: 'client', transport, description: 'read ECONNRESET' };
    const reason = (close as { reason: string }).reason;
    at(closed, node, {
      type: 'socket.disconnect',
      socketId: sid,
      nsp: '/',
      reason,
      initiator: reason === 'ping timeout' ? 'server' : 'client',
      sid,
      rooms: [sid],
    });
    at(closed, node, close);
  }

  const order = stamps.map((_, i) => i).sort((a, b) => stamps[a]!.ts - stamps[b]!.ts || a - b);
  const seq = new Map<string, number>();
  return order.map((i) => {
    const { ts, node } = stamps[i]!;
    seq.set(node, (seq.get(node) ?? 0) + 1);
    return Object.assign({}, events[i], { seq: seq.get(node)!, ts, node }) as LogEvent;
  });
}
