/** Hand-written event sequences for the log tests: stamped events at chosen times. */
import type { LogEvent, LogEventInput } from '../../src/log/events';

/** 2026-01-01T12:00:00.000Z: explanations print times of day, so tests read "12:00:05.120". */
export const NOON = Date.UTC(2026, 0, 1, 12, 0, 0);

export class Scenario {
  readonly events: LogEvent[] = [];
  private seq = 0;

  constructor(
    readonly node = 'node-a',
    readonly start = NOON,
  ) {}

  /** Appends `input` stamped at `start + offsetMs`. */
  add(offsetMs: number, input: LogEventInput): LogEvent {
    const event = { ...input, seq: ++this.seq, ts: this.start + offsetMs, node: this.node } as LogEvent;
    this.events.push(event);
    return event;
  }

  open(offsetMs: number, sid: string, overrides: Partial<Extract<LogEventInput, { type: 'conn.open' }>> = {}): LogEvent {
    return this.add(offsetMs, {
      type: 'conn.open',
      sid,
      protocol: 4,
      transport: 'polling',
      remoteAddress: '127.0.0.1',
      pingInterval: 25000,
      pingTimeout: 20000,
      upgradeTimeout: 10000,
      maxPayload: 1000000,
      upgrades: ['websocket'],
      ...overrides,
    });
  }

  /** A socket connects and joins its own id room, as the server records it. */
  connect(offsetMs: number, sid: string, socketId: string, nsp = '/'): void {
    this.add(offsetMs, { type: 'socket.connect', sid, socketId, nsp, protocol: 5 });
    this.add(offsetMs, { type: 'room.join', socketId, nsp, room: socketId });
  }
}
