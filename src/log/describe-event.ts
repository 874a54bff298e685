/** One line of human text per event, for timelines (replay, inspector). */
import type { LogEvent, LogEventOf } from './events';
import { describeRecovery } from './explain-recovery';

const HEARTBEAT_STEPS: Record<LogEventOf<'conn.heartbeat'>['step'], string> = {
  'ping-sent': 'ping sent',
  'pong-received': 'pong received',
  'ping-received': 'ping received',
  'pong-sent': 'pong sent',
};

export function describeEvent(event: LogEvent): string {
  switch (event.type) {
    case 'server.start':
      return `server started on ${event.path}`;
    case 'server.close':
      return 'server closed';
    case 'conn.open':
      return (
        `connection ${event.sid} opened over ${event.transport} (Engine.IO v${event.protocol}) from ${event.remoteAddress}; ` +
        `pingInterval ${event.pingInterval} ms, pingTimeout ${event.pingTimeout} ms, maxPayload ${event.maxPayload} bytes` +
        (event.upgrades.length > 0 ? `, upgrades to ${event.upgrades.join(', ')}` : '')
      );
    case 'conn.heartbeat':
      return HEARTBEAT_STEPS[event.step];
    case 'conn.upgrade':
      if (event.step === 'probe') return `upgrade to ${event.to}: probing`;
      if (event.step === 'upgraded') return `upgraded to ${event.to}`;
      return `upgrade to ${event.to} failed${event.reason ? `: ${event.reason}` : ''}`;
    case 'conn.error': {
      const limit = event.size !== undefined && event.limit !== undefined ? ` (${event.size} bytes, limit ${event.limit})` : '';
      return `${event.transport} error: ${event.message}${limit}`;
    }
    case 'conn.close': {
      const code = event.wsCode !== undefined ? `, websocket code ${event.wsCode}${event.wsReason ? ` "${event.wsReason}"` : ''}` : '';
      return `connection closed: ${event.reason} (by the ${event.initiator}, over ${event.transport}${code})`;
    }
    case 'nsp.create':
      return `namespace ${event.nsp} created${event.parent ? ` from ${event.parent}` : ''}`;
    case 'nsp.delete':
      return `namespace ${event.nsp} deleted: its last socket left`;
    case 'socket.connect':
      return `socket ${event.socketId} ${event.recovered ? 'recovered on' : 'connected to'} ${event.nsp} (Socket.IO v${event.protocol})${event.label !== undefined ? `, label "${event.label}"` : ''}`;
    case 'socket.recovery':
      return describeRecovery(event);
    case 'socket.refused':
      return `connection to ${event.nsp} refused: ${event.message}`;
    case 'room.join':
      return `socket ${event.socketId} joined ${event.room}`;
    case 'room.leave':
      return `socket ${event.socketId} left ${event.room}`;
    case 'socket.disconnect':
      return `socket ${event.socketId} disconnected from ${event.nsp}: ${event.reason} (by the ${event.initiator})`;
    case 'app.error':
      return `application error${event.socketId ? ` on socket ${event.socketId}` : ''}: ${event.errorType ? `${event.errorType}: ` : ''}${event.message}`;
    case 'node.down':
      if (event.reason === 'left') return `node ${event.down} left the cluster; its connections went on, out of this cluster's sight`;
      if (event.reason === 'this node left') return `this node left the cluster of node ${event.down}; that node's connections are out of sight`;
      return `node ${event.down} is down: it stopped renewing its liveness key`;
    case 'cluster.leave':
      return `left the cluster of key ${event.cluster}; its connections go on`;
    case 'log.suppressed': {
      const types = Object.entries(event.types)
        .map(([type, count]) => `${type} ${count}`)
        .join(', ');
      const refusals = event.types['socket.refused'];
      const untold = refusals === undefined ? '' : `; and ${refusals.toLocaleString('en-US')} more refused namespace connection(s) than listed`;
      return `${event.count} record(s) of connection ${event.sid} not logged: over its share of the log (${types})${untold}`;
    }
    case 'log.dropped':
      return `the ${event.sink} log lost ${event.count} record(s), seq ${event.firstSeq} to ${event.lastSeq}: ${event.reason}`;
  }
}
