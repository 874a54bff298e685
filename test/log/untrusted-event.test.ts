import { describe, expect, it } from 'vitest';
import { MAX_EVENT_CHARS, parseUntrustedEvent } from '../../src/log/untrusted-event';

const NOW = Date.UTC(2026, 0, 1);
const valid = { seq: 3, ts: NOW - 1000, node: 'node-b', type: 'room.join', socketId: 's1', nsp: '/', room: 'r' };
const open = {
  seq: 1,
  ts: NOW,
  node: 'node-b',
  type: 'conn.open',
  sid: 'x',
  protocol: 4,
  transport: 'polling',
  remoteAddress: '10.0.0.1',
  pingInterval: 25000,
  pingTimeout: 20000,
  upgradeTimeout: 10000,
  maxPayload: 1e6,
  upgrades: [],
};
const close = {
  seq: 2,
  ts: NOW,
  node: 'node-b',
  type: 'conn.close',
  sid: 'x',
  reason: 'ping timeout',
  initiator: 'server',
  transport: 'polling',
  wsCode: 1000,
  lastPingAt: NOW - 5,
  lastPongAt: NOW - 30,
};
const parse = (value: unknown) => parseUntrustedEvent(typeof value === 'string' ? value : JSON.stringify(value), NOW);

describe('events from outside this process', () => {
  it('takes a valid event', () => {
    expect(parse(valid).event).toEqual(valid);
    expect(parse(open).event).toEqual(open);
    expect(parse(close).event).toEqual(close);
  });

  it('refuses, with a reason that quotes none of the entry, what is not a bounded event', () => {
    const cases: [unknown, string][] = [
      ['{"seq":', 'not JSON'],
      [{ ...valid, type: '\u001b[31mroom.owned' }, 'not an event (unknown type)'],
      [{ ...valid, room: 42 }, 'not an event (room: Invalid input: expected string, received number)'],
      [{ ...valid, seq: -1 }, 'not an event (seq: Too small: expected number to be >=0)'],
      [{ ...valid, ts: 1e300 }, 'ts 1e+300 out of range (after 2000-01-01, at most a day ahead of this clock)'],
      [{ ...valid, ts: 0 }, 'ts 0 out of range (after 2000-01-01, at most a day ahead of this clock)'],
      [{ ...valid, ts: NOW + 2 * 24 * 3600 * 1000 }, `ts ${NOW + 2 * 24 * 3600 * 1000} out of range (after 2000-01-01, at most a day ahead of this clock)`],
      [{ ...valid, ts: NOW + 0.5 }, `ts ${NOW + 0.5} out of range (after 2000-01-01, at most a day ahead of this clock)`],
      [{ ...valid, node: '' }, 'node name of 0 characters (1 to 256)'],
      [{ ...valid, node: 'n'.repeat(257) }, 'node name of 257 characters (1 to 256)'],
      [
        { ...valid, room: 'r'.repeat(MAX_EVENT_CHARS) },
        `${MAX_EVENT_CHARS + JSON.stringify(valid).length - 1} characters, over the ${MAX_EVENT_CHARS} an event may have`,
      ],
      ['1e999', 'not an event (Invalid input: expected object, received Infinity)'],
      [{ ...close, lastPongAt: 1e300 }, 'lastPongAt 1e+300 out of range (after 2000-01-01, at most a day ahead of this clock)'],
      [{ ...close, lastPingAt: -5 }, 'lastPingAt -5 out of range (after 2000-01-01, at most a day ahead of this clock)'],
      [{ ...close, wsCode: 1000.5 }, 'wsCode 1000.5 is not a whole number of at least 0'],
      [{ ...open, pingTimeout: 1e300 }, 'pingTimeout 1e+300 is not a whole number of at least 0'],
      [{ ...open, maxPayload: -1 }, 'maxPayload -1 is not a whole number of at least 0'],
    ];
    for (const [input, problem] of cases) expect(parse(input)).toEqual({ problem });
  });

  it("takes a ts up to a day ahead: the nodes' clocks may differ", () => {
    expect(parse({ ...valid, ts: NOW + 3600 * 1000 }).event).toBeDefined();
  });
});
