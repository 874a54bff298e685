/**
 * The stream reader stops where it says it stopped: entries of a reply that
 * comes in after `stop()` are not handed on, and `lastRead` stays where the
 * node that replaces it (same cluster) goes on from, or where a node that
 * left (another cluster) stopped taking in that cluster's events.
 */
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { StreamReader } from '../../src/adapters/redis/stream-reader';

/** An XREAD entry holding one valid event of `node`. */
function entry(id: string, node: string, seq: number): [string, string[]] {
  const event = { type: 'nsp.create', nsp: `/n${seq}`, seq, ts: Date.now(), node };
  return [id, ['e', JSON.stringify(event)]];
}

describe('StreamReader.stop()', () => {
  it('hands on nothing of a reply that arrives after it, and keeps lastRead where it stopped', async () => {
    const replies: Array<(reply: unknown) => void> = [];
    const redis = {
      call: () => new Promise((resolve) => replies.push(resolve)),
      disconnect: () => {},
    } as unknown as Redis;
    const got: string[] = [];
    const reader = new StreamReader({
      redis,
      stream: 's',
      node: 'me',
      lastSeq: () => 0,
      onEvent: (id) => got.push(id),
      onSkip: () => {},
      onError: () => {},
    });
    reader.start();
    replies.shift()!([['s', [entry('1-0', 'other', 1)]]]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(got).toEqual(['1-0']);
    // The next XREAD is under way when the node stops reading (it leaves the cluster, or makes way).
    reader.stop();
    replies.shift()!([['s', [entry('2-0', 'other', 2), entry('3-0', 'other', 3)]]]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(got).toEqual(['1-0']);
    expect(reader.lastRead).toBe('1-0');
  });
});
