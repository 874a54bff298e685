import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { boundEvent, cutString, MAX_ITEMS, MAX_STRING } from '../../src/log/bound';
import { logEvent, type LogEvent } from '../../src/log/events';

const stamp = { seq: 1, ts: 1000, node: 'n' };
const nspCreate = (nsp: string): LogEvent => ({ ...stamp, type: 'nsp.create', nsp, parent: '/^\\/dyn-/', sid: 's1' });

describe('boundEvent', () => {
  it('returns a record with nothing to cut as it is, without a copy', () => {
    const event: LogEvent = { ...stamp, type: 'room.join', socketId: 'a', nsp: '/', room: 'lobby' };
    expect(boundEvent(event, {})).toBe(event);
    const start: LogEvent = {
      ...stamp,
      type: 'server.start',
      path: '/socket.io',
      settings: { transports: ['polling', 'websocket'], cookie: { name: 'io', httpOnly: true } },
    };
    expect(boundEvent(start, {})).toBe(start);
  });

  it('cuts a long string to its head, its original length and a hash, leaving the record valid', () => {
    const name = `/dyn-${'a'.repeat(100_000)}`;
    const bounded = boundEvent(nspCreate(name), {});
    expect(logEvent.parse(bounded)).toEqual(bounded);
    const nsp = (bounded as Extract<LogEvent, { type: 'nsp.create' }>).nsp;
    expect(nsp.startsWith(name.slice(0, MAX_STRING))).toBe(true);
    expect(nsp.slice(MAX_STRING)).toMatch(/^…\[cut: 100005 chars, sha256 [0-9a-f]{12}\]$/);
    expect(JSON.stringify(bounded).length).toBeLessThan(MAX_STRING + 200);
  });

  it('cuts the same string the same way, and strings that differ only after the cut differently', () => {
    const a = `/dyn-${'x'.repeat(5000)}-1`;
    const b = `/dyn-${'x'.repeat(5000)}-2`;
    expect(cutString(a, MAX_STRING)).toBe(cutString(a, MAX_STRING));
    expect(cutString(a, MAX_STRING)).not.toBe(cutString(b, MAX_STRING));
  });

  it('tells apart strings that differ only in lone surrogates, and keeps the marks of well-formed strings', () => {
    const a = `${'x'.repeat(5000)}\ud800`;
    const b = `${'x'.repeat(5000)}\udc00`;
    expect(cutString(a, MAX_STRING)).not.toBe(cutString(b, MAX_STRING));
    // The mark a log written before holds for this string: well-formed strings are read as UTF-8, as they were.
    expect(cutString('y'.repeat(2000), MAX_STRING)).toBe(
      `${'y'.repeat(MAX_STRING)}…[cut: 2000 chars, sha256 ${createHash('sha256').update('y'.repeat(2000)).digest('hex').slice(0, 12)}]`,
    );
  });

  it('never keeps half of a surrogate pair', () => {
    const cut = cutString('a' + '😀'.repeat(2000), MAX_STRING);
    expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut); // a lone surrogate would come back as U+FFFD
    expect(cut.startsWith('a' + '😀'.repeat((MAX_STRING - 2) / 2) + '…')).toBe(true);
  });

  it('keeps MAX_ITEMS entries of a list and says how many there were', () => {
    const rooms = Array.from({ length: 500 }, (_, i) => `room-${i}`);
    const bounded = boundEvent({ ...stamp, type: 'socket.disconnect', socketId: 'a', nsp: '/', reason: 'transport close', initiator: 'client', rooms }, {});
    const kept = (bounded as Extract<LogEvent, { type: 'socket.disconnect' }>).rooms!;
    expect(kept).toHaveLength(MAX_ITEMS + 1);
    expect(kept.slice(0, MAX_ITEMS)).toEqual(rooms.slice(0, MAX_ITEMS));
    expect(kept.at(-1)).toBe('…[cut: 500 items]');
    expect(rooms).toHaveLength(500);
  });

  it('bounds data the application opted in to keep: size, depth, cycles, values JSON cannot hold', () => {
    const cyclic: Record<string, unknown> = { token: 'x'.repeat(50_000), big: 10n, when: new Date(0) };
    cyclic.self = cyclic;
    cyclic.many = Array.from({ length: 10_000 }, (_, i) => ({ i, s: 'y'.repeat(900) }));
    cyclic.after = 'the budget is spent by now';
    const event: LogEvent = { ...stamp, type: 'socket.refused', sid: 's', nsp: '/', message: 'no', data: cyclic };
    const bounded = boundEvent(event, { refusalData: true });
    const json = JSON.stringify(bounded);
    expect(json.length).toBeLessThan(40_000);
    const data = (JSON.parse(json) as { data: Record<string, unknown> }).data;
    expect(data.token).toMatch(/…\[cut: 50000 chars, sha256 [0-9a-f]{12}\]$/);
    expect(data.big).toBe('10');
    expect(data.when).toBe('1970-01-01T00:00:00.000Z');
    expect(JSON.stringify(data.self)).toContain('[cut: nested too deep]');
    expect(JSON.stringify(data.many)).toMatch(/…\[cut: 10000 items\]"\]$/);
    expect(data['…']).toBe('[cut: 6 keys]');
  });

  it('leaves out secrets unless the application opts in: a refusal’s data, an error’s stack', () => {
    const refused: LogEvent = { ...stamp, type: 'socket.refused', sid: 's', nsp: '/', message: 'not authorized', data: { token: 'secret-token' } };
    const error: LogEvent = {
      ...stamp,
      type: 'app.error',
      message: 'boom',
      errorType: 'TypeError',
      stack: 'TypeError: boom\n    at handler (/srv/app.js:1:1)',
    };
    expect(boundEvent(refused, {})).toEqual({ ...stamp, type: 'socket.refused', sid: 's', nsp: '/', message: 'not authorized' });
    expect(boundEvent(error, {})).toEqual({ ...stamp, type: 'app.error', message: 'boom', errorType: 'TypeError' });
    expect(boundEvent(refused, { refusalData: true })).toEqual(refused);
    expect(boundEvent(error, { errorStacks: true })).toEqual(error);
    expect(refused).toHaveProperty('data');
  });
});
