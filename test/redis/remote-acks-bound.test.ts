// RemoteAcks alone (no Redis): how long a request's acks are waited for, and the bound.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RemoteAcks } from '../../src/adapters/redis/remote-acks';

describe('RemoteAcks', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("waits for a request's own timeout, else the default, and then forgets the acks still missing", () => {
    vi.useFakeTimers();
    const acks = new RemoteAcks(100, 5000, () => {});
    const forgotten: string[] = [];
    const own = acks.wait(2, 300)!;
    own.track(() => forgotten.push('own 1'));
    own.track(() => forgotten.push('own 2'));
    const fallback = acks.wait(1, 'soon')!;
    fallback.track(() => forgotten.push('default'));
    expect(own.answered()).toBe(true);
    expect(acks.size).toBe(2);
    vi.advanceTimersByTime(300);
    expect(forgotten).toEqual(['own 1', 'own 2']);
    expect(own.answered()).toBe(false);
    expect(acks.size).toBe(1);
    vi.advanceTimersByTime(4700);
    expect(forgotten).toEqual(['own 1', 'own 2', 'default']);
    expect(acks.size).toBe(0);
  });

  it('a timeout longer than a timer can hold waits as long as it can, not a millisecond', async () => {
    const acks = new RemoteAcks(100, 5000, () => {});
    acks.wait(1, 1e12);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(acks.size).toBe(1);
    acks.clear();
    expect(acks.size).toBe(0);
  });

  it('refuses a request that would go past the bound, reporting once a second and counting the rest', () => {
    vi.useFakeTimers();
    const reports: string[] = [];
    const acks = new RemoteAcks(3, 1000, (error) => reports.push(error.message));
    const first = acks.wait(2, 1000)!;
    expect(acks.wait(2, 1000)).toBeUndefined();
    expect(acks.wait(2, 1000)).toBeUndefined();
    expect(acks.wait(1, 1000)).toBeDefined();
    first.answered();
    first.answered();
    expect(acks.size).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(reports).toEqual([
      'refused a broadcast with acks from another node: it would wait for 2 more acks, over maxPendingAcks (3, 2 waiting); the requester gets no answer from this node',
      'refused 1 more broadcast(s) with acks from other nodes over maxPendingAcks (reported at most once a second)',
    ]);
    expect(acks.size).toBe(0);
  });
});
