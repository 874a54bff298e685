import { describe, expect, it, vi } from 'vitest';
import { EventLog } from '../../src/log/event-log';
import type { LogEvent } from '../../src/log/events';
import { MemorySink } from '../../src/log/memory-sink';
import type { LogSink } from '../../src/log/sink';

const join = (socketId: string, room: string) => ({ type: 'room.join', socketId, nsp: '/', room }) as const;
const connect = (socketId: string) => ({ type: 'socket.connect', sid: 'e1', socketId, nsp: '/', protocol: 5 }) as const;

describe('EventLog', () => {
  it('stamps seq, ts and node', () => {
    vi.useFakeTimers({ now: 1234 });
    try {
      const log = new EventLog({ node: 'n1' });
      const first = log.record(connect('a'));
      const second = log.record(join('a', 'x'));
      expect(first).toMatchObject({ seq: 1, ts: 1234, node: 'n1', type: 'socket.connect' });
      expect(second.seq).toBe(2);
      expect(log.lastSeq).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('has the projections current when record returns, and when subscribers run', () => {
    const log = new EventLog();
    const seen: (number | undefined)[] = [];
    log.subscribe(() => seen.push(log.projections.rooms.membersOf('/', 'x')?.size));
    log.record(connect('a'));
    log.record(join('a', 'x'));
    expect(log.projections.rooms.membersOf('/', 'x')?.has('a')).toBe(true);
    expect(log.projections.sessions.socket('/', 'a')?.rooms.has('x')).toBe(true);
    expect(seen).toEqual([undefined, 1]);
  });

  it('serves retained events since a seq, from a bounded ring', () => {
    const log = new EventLog({ capacity: 3 });
    for (let i = 0; i < 5; i++) log.record(join('a', `r${i}`));
    expect(log.events().map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(log.events({ since: 4 }).map((e) => e.seq)).toEqual([5]);
    expect(log.events({ since: 5 })).toEqual([]);
  });

  it('keeps nothing with retention off but still folds the projections', () => {
    const log = new EventLog({ capacity: false });
    log.record(connect('a'));
    log.record(join('a', 'x'));
    expect(log.retaining).toBe(false);
    expect(log.events()).toEqual([]);
    expect(log.projections.rooms.membersOf('/', 'x')?.size).toBe(1);
  });

  it('unsubscribes, and survives a throwing subscriber or sink', () => {
    const errors: string[] = [];
    const broken: LogSink = {
      write() {
        throw new Error('disk gone');
      },
      close: async () => {},
    };
    const after = new MemorySink(10);
    const log = new EventLog({ sinks: [broken, after], onError: (e) => errors.push(e.message) });
    const seen: number[] = [];
    log.subscribe(() => {
      throw new Error('bad listener');
    });
    const off = log.subscribe((e) => seen.push(e.seq));
    log.record(connect('a'));
    off();
    log.record(join('a', 'x'));
    expect(seen).toEqual([1]);
    expect(after.events().map((e) => e.seq)).toEqual([1, 2]);
    expect(errors).toEqual([
      'event log subscriber failed: bad listener',
      'event log sink failed: disk gone',
      'event log subscriber failed: bad listener',
      'event log sink failed: disk gone',
    ]);
  });

  it('warns once per kind of failure when no onError is given', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const log = new EventLog();
      log.subscribe((e) => {
        throw new Error(`bad ${e.seq}`);
      });
      for (let i = 0; i < 3; i++) log.record(join('a', 'x'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual(['event log subscriber failed: bad 1 (further failures of this kind are not reported)']);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('hands events to sinks in order and closes them once', async () => {
    const written: LogEvent[] = [];
    const close = vi.fn(async () => {});
    const log = new EventLog({ sinks: [{ write: (e) => written.push(e), close }] });
    log.record(connect('a'));
    log.record(join('a', 'x'));
    await Promise.all([log.close(), log.close()]);
    log.record(join('a', 'y'));
    expect(written.map((e) => e.seq)).toEqual([1, 2]);
    expect(close).toHaveBeenCalledTimes(1);
    expect(log.projections.rooms.membersOf('/', 'y')?.size).toBe(1);
  });

  it('writes to a sink attached later, waits for it on flush, and no more once it is taken off', async () => {
    const written: number[] = [];
    let release: () => void = () => {};
    const slow: LogSink = {
      write: (e) => written.push(e.seq),
      flush: () => new Promise<void>((resolve) => (release = resolve)),
      close: async () => {},
    };
    const log = new EventLog();
    log.record(connect('a'));
    const detach = log.attach(slow);
    log.record(join('a', 'x'));
    let flushed = false;
    const flushing = log.flush().then(() => (flushed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed).toBe(false);
    release();
    await flushing;
    detach();
    log.record(join('a', 'y'));
    expect(written).toEqual([2]);
  });
});

describe('EventLog.ingest', () => {
  it('folds, retains and notifies events of other nodes by position, without re-stamping or sinks', () => {
    const sink = new MemorySink(10);
    const log = new EventLog({ node: 'here', sinks: [sink] });
    const seen: string[] = [];
    log.subscribe((e) => seen.push(`${e.node}#${e.seq}`));
    log.record(connect('a'));
    log.ingest({ seq: 907, ts: 5, node: 'there', type: 'socket.connect', sid: 'e9', socketId: 'z', nsp: '/', protocol: 5 });
    log.ingest({ seq: 908, ts: 6, node: 'there', type: 'room.join', socketId: 'z', nsp: '/', room: 'x' });
    log.record(join('a', 'x'));
    expect(seen).toEqual(['here#1', 'there#907', 'there#908', 'here#2']);
    expect(log.lastSeq).toBe(2);
    expect(log.lastPosition).toBe(4);
    expect(log.events({ since: 1, until: 3 }).map((e) => e.seq)).toEqual([907, 908]);
    expect(log.events({ since: 3 }).map((e) => e.seq)).toEqual([2]);
    expect([...log.projections.rooms.membersOf('/', 'x')!]).toEqual(['z', 'a']);
    expect(sink.events().map((e) => e.node)).toEqual(['here', 'here']);
  });
});

describe('MemorySink', () => {
  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new MemorySink(0)).toThrow(/positive integer/);
  });

  it('overwrites the oldest events and keeps order across the wrap', () => {
    const ring = new MemorySink(4);
    for (let seq = 101; seq <= 110; seq++) ring.write({ seq, ts: seq, node: 'n', type: 'server.close' });
    expect(ring.size).toBe(4);
    expect(ring.written).toBe(10);
    expect(ring.events().map((e) => e.seq)).toEqual([107, 108, 109, 110]);
    expect(ring.events(8).map((e) => e.seq)).toEqual([109, 110]);
    expect(ring.events(2, 8).map((e) => e.seq)).toEqual([107, 108]);
    expect(ring.events(10)).toEqual([]);
  });
});
