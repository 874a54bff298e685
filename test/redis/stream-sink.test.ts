// RedisStreamSink against a scripted client: order, batching, keeping
// events while Redis is away, the buffer bound, close.
import { describe, expect, it } from 'vitest';
import { RedisStreamSink, type RedisCommandClient } from '../../src/log/redis-stream-sink';
import type { LogEvent } from '../../src/log/events';
import { MAX_EVENT_CHARS } from '../../src/log/untrusted-event';
import { flushUnderSteadyWrites } from '../log/steady-writer';

function event(seq: number): LogEvent {
  return { seq, ts: 1000 + seq, node: 'n', type: 'room.join', socketId: `s${seq}`, nsp: '/', room: 'r' };
}

/** Records XADDs; while `down`, every command fails. */
function fakeRedis() {
  const appended: LogEvent[] = [];
  const calls: string[][] = [];
  const client = {
    down: false,
    call(command: string, ...args: string[]): Promise<unknown> {
      calls.push([command, ...args]);
      if (client.down) return Promise.reject(new Error('Connection is closed.'));
      appended.push(JSON.parse(args[args.length - 1]!) as LogEvent);
      return Promise.resolve('1-0');
    },
  };
  return { client: client as RedisCommandClient & { down: boolean }, appended, calls };
}

describe('RedisStreamSink', () => {
  it('appends each event as XADD <stream> MAXLEN ~ n * e <json>, in order, off the caller tick', async () => {
    const redis = fakeRedis();
    const sink = new RedisStreamSink({ client: redis.client, stream: 'k-log', maxLen: 500 });
    for (let seq = 1; seq <= 5; seq++) sink.write(event(seq));
    expect(redis.calls).toEqual([]);
    await sink.flush();
    expect(redis.calls[0]).toEqual(['XADD', 'k-log', 'MAXLEN', '~', '500', '*', 'e', JSON.stringify(event(1))]);
    expect(redis.appended.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    await sink.close();
  });

  it('keeps events while Redis is away, reports once, and sends them in order when it is back', async () => {
    const redis = fakeRedis();
    const errors: string[] = [];
    const sink = new RedisStreamSink({ client: redis.client, stream: 's', maxLen: false, retryDelay: 10, onError: (error) => errors.push(error.message) });
    sink.write(event(1));
    await sink.flush();
    redis.client.down = true;
    for (let seq = 2; seq <= 4; seq++) sink.write(event(seq));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sink.pending).toBe(3);
    expect(errors).toEqual(['event log stream s: cannot append (Connection is closed.); keeping events until Redis is back']);
    redis.client.down = false;
    sink.write(event(5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sink.flush();
    expect(redis.appended.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(redis.calls.every((call) => !call.includes('MAXLEN'))).toBe(true);
    await sink.close();
  });

  it('drops the oldest events past maxBuffered and says how many', async () => {
    const redis = fakeRedis();
    redis.client.down = true;
    const errors: string[] = [];
    const sink = new RedisStreamSink({ client: redis.client, stream: 's', maxBuffered: 2, retryDelay: 10_000, onError: (error) => errors.push(error.message) });
    for (let seq = 1; seq <= 3; seq++) sink.write(event(seq));
    expect(errors).toContain('event log stream s: Redis unreachable, dropped the 1 oldest buffered event(s)');
    expect(sink.pending).toBe(2);
    await sink.close();
    expect(errors[errors.length - 1]).toBe('event log stream s: closed with 2 event(s) that never reached Redis');
  });

  it('reports an event that cannot be serialised and goes on', async () => {
    const redis = fakeRedis();
    const errors: string[] = [];
    const sink = new RedisStreamSink({ client: redis.client, stream: 's', onError: (error) => errors.push(error.message) });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    sink.write({ seq: 1, ts: 1, node: 'n', type: 'socket.refused', sid: 'x', nsp: '/', message: 'no', data: circular });
    sink.write(event(2));
    await sink.flush();
    expect(errors[0]).toMatch(/^event log stream s: event 1 \(socket.refused\) cannot be serialised: /);
    expect(redis.appended.map((e) => e.seq)).toEqual([2]);
    await sink.close();
  });

  it('does not append an event longer than the other nodes take in, and says so', async () => {
    const redis = fakeRedis();
    const errors: string[] = [];
    const sink = new RedisStreamSink({ client: redis.client, stream: 's', onError: (error) => errors.push(error.message) });
    const huge: LogEvent = { seq: 1, ts: 1001, node: 'n', type: 'room.join', socketId: 's1', nsp: '/', room: 'r'.repeat(MAX_EVENT_CHARS) };
    sink.write(huge);
    sink.write(event(2));
    await sink.flush();
    expect(redis.appended.map((e) => e.seq)).toEqual([2]);
    expect(errors).toEqual([
      `event log stream s: a room.join event of ${JSON.stringify(huge).length} characters was not appended (other nodes take at most ${MAX_EVENT_CHARS})`,
    ]);
    await sink.close();
  });

  it('makes every close wait for the last batch (the log and the cluster node both close it)', async () => {
    const redis = fakeRedis();
    let reply: () => void = () => {};
    const slow: RedisCommandClient = { call: (...args) => new Promise((resolve) => (reply = () => resolve(redis.client.call(...args)))) };
    const sink = new RedisStreamSink({ client: slow, stream: 's' });
    sink.write(event(1));
    let closed = 0;
    const closes = [sink.close(), sink.close()].map((close) => close.then(() => closed++));
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(0);
    reply();
    await Promise.all(closes);
    expect(redis.appended.map((e) => e.seq)).toEqual([1]);
  });

  it('flush waits for an event written while the drain before it was ending, at every microtask depth', async () => {
    for (let depth = 0; depth <= 12; depth++) {
      const redis = fakeRedis();
      let hook: (() => void) | undefined;
      const client: RedisCommandClient = {
        call: (...args) => {
          const reply = redis.client.call(...args);
          const run = hook;
          hook = undefined;
          run?.();
          return reply;
        },
      };
      const sink = new RedisStreamSink({ client, stream: 's' });
      const flushed = new Promise<number[]>((resolve) => {
        hook = () => {
          const later = (n: number): void => {
            if (n > 0) return queueMicrotask(() => later(n - 1));
            sink.write(event(2));
            void sink.flush().then(() => resolve(redis.appended.map((e) => e.seq)));
          };
          later(depth);
        };
      });
      sink.write(event(1));
      expect(await flushed, `an event written ${depth} microtask(s) after an XADD`).toEqual([1, 2]);
      await sink.close();
    }
  });

  it('flush ends under a writer that never stops, once what was written before it is sent', async () => {
    const redis = fakeRedis();
    // Replies a turn of the event loop later, as over a network, so that the writer gets in between.
    const client: RedisCommandClient = { call: (...args) => new Promise((resolve) => setImmediate(() => resolve(redis.client.call(...args)))) };
    const sink = new RedisStreamSink({ client, stream: 's' });
    const before = await flushUnderSteadyWrites(sink, event);
    expect(redis.appended.length).toBeGreaterThanOrEqual(before);
    expect(redis.appended.slice(0, before).map((e) => e.seq)).toEqual(Array.from({ length: before }, (_, i) => i + 1));
    await sink.close();
  });

  it('close gives up after closeTimeout on a client that holds its commands while Redis is away, reporting what it drops', async () => {
    const errors: string[] = [];
    // ioredis with its offline queue: a command sent while Redis is away waits for it, however long that is.
    const client: RedisCommandClient = { call: () => new Promise(() => {}) };
    const sink = new RedisStreamSink({ client, stream: 's', closeTimeout: 200, onError: (error) => errors.push(error.message) });
    sink.write(event(1));
    sink.write(event(2));
    await new Promise((resolve) => setImmediate(resolve));
    const started = Date.now();
    await sink.close();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(errors).toEqual(['event log stream s: closed with 2 event(s) that never reached Redis']);
  });

  it('ignores writes after close', async () => {
    const redis = fakeRedis();
    const sink = new RedisStreamSink({ client: redis.client, stream: 's' });
    await sink.close();
    sink.write(event(1));
    await sink.flush();
    expect(redis.calls).toEqual([]);
  });
});
