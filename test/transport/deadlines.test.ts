/** The shared heartbeat deadline lists: order, refresh, cancel, re-entrant scheduling, timers released. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearDeadline, refreshDeadline, setDeadline, type DeadlineOwner } from '../../src/transport/deadlines';

function owner(name: string, fired: string[], then?: (self: DeadlineOwner) => void): DeadlineOwner {
  const self: DeadlineOwner = {
    deadlineDue: 0,
    deadlinePrev: undefined,
    deadlineNext: undefined,
    deadlineList: undefined,
    onDeadline() {
      fired.push(`${name}@${Date.now()}`);
      then?.(self);
    },
  };
  return self;
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('deadlines', () => {
  it('fires each owner once, at its own deadline, across durations', () => {
    const fired: string[] = [];
    const a = owner('a', fired);
    const b = owner('b', fired);
    const c = owner('c', fired);
    setDeadline(a, 100);
    vi.advanceTimersByTime(30);
    setDeadline(b, 100);
    setDeadline(c, 50);
    vi.advanceTimersByTime(200);
    expect(fired).toEqual(['c@80', 'a@100', 'b@130']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refresh pushes a deadline back; clear cancels it and releases the timer', () => {
    const fired: string[] = [];
    const a = owner('a', fired);
    const b = owner('b', fired);
    setDeadline(a, 100);
    setDeadline(b, 100);
    vi.advanceTimersByTime(90);
    refreshDeadline(a);
    vi.advanceTimersByTime(20);
    expect(fired).toEqual(['b@100']);
    clearDeadline(a);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(500);
    expect(fired).toEqual(['b@100']);
    refreshDeadline(a); // not scheduled: nothing happens
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an owner may schedule itself again from its callback (a ping, then the pong deadline)', () => {
    const fired: string[] = [];
    let rounds = 0;
    const a = owner('a', fired, (self) => {
      if (++rounds < 3) setDeadline(self, rounds % 2 ? 40 : 100);
    });
    setDeadline(a, 100);
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual(['a@100', 'a@140', 'a@240']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('setting a deadline again replaces the previous one', () => {
    const fired: string[] = [];
    const a = owner('a', fired);
    setDeadline(a, 100);
    setDeadline(a, 300);
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual(['a@300']);
  });
});
