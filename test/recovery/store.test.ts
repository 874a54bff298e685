/**
 * The recovery store's decisions, one case each, with a fake clock: what
 * recovers (also where socket.io 4 gives up) and each reason it does not.
 */
import { describe, expect, it } from 'vitest';
import { RecoveryRegistry } from '../../src/adapters/recovery/registry';
import { RECOVERY_DEFAULTS, type ResolvedRecoveryOptions } from '../../src/adapters/recovery/options';

function setup(options: Partial<ResolvedRecoveryOptions> = {}) {
  const clock = { now: 1_000_000 };
  const registry = new RecoveryRegistry({ ...RECOVERY_DEFAULTS, ...options }, () => clock.now);
  const store = registry.storeFor('/');
  store.open('s1', 'pid-1');
  store.roomChanged('s1', 's1', true);
  store.roomChanged('s1', 'room', true);
  const offsetOf = (data: unknown[]) => data[data.length - 1];
  const comeBack = (offset: unknown) => {
    const begun = registry.begin(store, 'pid-1', offset);
    return begun.ok ? store.finish(begun.session, begun.from) : begun;
  };
  return { clock, registry, store, offsetOf, comeBack };
}

describe('recovery store decisions', () => {
  it('recovers a client that received nothing before it dropped (no offset): everything since it connected', () => {
    const { store, comeBack } = setup();
    store.keep(['a'], ['room'], []);
    store.left('s1', 'transport close', {});
    store.keep(['b'], ['room'], []);
    const outcome = comeBack(undefined);
    expect(outcome.ok && outcome.packets.map((data) => data[0])).toEqual(['a', 'b']);
  });

  it('recovers a client whose last packet is older than the window when nothing addressed to it was lost', () => {
    const { clock, store, offsetOf, comeBack } = setup({ maxDisconnectionDuration: 120_000 });
    const last = store.keep(['old'], ['room'], []);
    clock.now += 200_000;
    store.keep(['elsewhere'], ['other'], []); // evicts 'old' by age: it was received, the socket stayed connected long after
    store.left('s1', 'ping timeout', {});
    store.keep(['missed'], ['room'], []);
    const outcome = comeBack(offsetOf(last));
    expect(outcome.ok && outcome.packets.map((data) => data[0])).toEqual(['missed']);
  });

  it("leaves out a 2.x socket.broadcast's sender by its id alone: a socket in a room named after the sender's id gets it back", () => {
    const { registry, store, comeBack } = setup();
    store.open('s2', 'pid-2');
    store.roomChanged('s2', 's2', true);
    // s1 joined a room named after s2's id: 2.x's socket.broadcast from s2 reaches it.
    store.roomChanged('s1', 's2', true);
    store.left('s1', 'transport close', {});
    store.left('s2', 'transport close', {});
    store.keep(['from s2'], [], [], { sender: 's2' });
    const outcome = comeBack(undefined);
    expect(outcome.ok && outcome.packets.map((data) => data[0])).toEqual(['from s2']);
    // The sender itself does not get its own broadcast back.
    const sender = registry.begin(store, 'pid-2', undefined);
    expect(sender.ok && store.finish(sender.session, sender.from)).toMatchObject({ ok: true, packets: [] });
  });

  it('"window expired" by how much, after the window', () => {
    const { clock, store, comeBack } = setup({ maxDisconnectionDuration: 1_000 });
    store.left('s1', 'transport close', {});
    clock.now += 1_250;
    expect(comeBack(undefined)).toMatchObject({ ok: false, reason: 'window expired', expiredByMs: 250, socketId: 's1' });
    // Asked again, it is remembered, and the figure grows.
    clock.now += 100;
    expect(comeBack(undefined)).toMatchObject({ ok: false, reason: 'window expired', socketId: 's1' });
  });

  it('"buffer bound reached" when a packet it missed left at maxBytes', () => {
    const { store, offsetOf, comeBack } = setup({ maxBytes: 100 });
    const last = store.keep(['x'], ['room'], []);
    store.left('s1', 'transport close', {});
    store.keep(['y'.repeat(60)], ['room'], []);
    store.keep(['z'.repeat(60)], ['room'], []);
    expect(comeBack(offsetOf(last))).toMatchObject({ ok: false, reason: 'buffer bound reached', detail: expect.stringContaining('maxBytes 100') });
  });

  it('"unknown offset" for an offset this namespace never gave', () => {
    const { store, comeBack } = setup();
    store.left('s1', 'transport close', {});
    expect(comeBack('not-an-offset')).toMatchObject({ ok: false, reason: 'unknown offset' });
  });

  it('"still connected" while the server has not noticed the drop', () => {
    const { comeBack } = setup();
    expect(comeBack(undefined)).toMatchObject({ ok: false, reason: 'still connected', socketId: 's1' });
  });

  it('"session ended" after a disconnect that ends it, naming the reason', () => {
    const { store, comeBack } = setup();
    store.left('s1', 'client namespace disconnect', {});
    expect(comeBack(undefined)).toMatchObject({ ok: false, reason: 'session ended', detail: expect.stringContaining('"client namespace disconnect"') });
  });

  it('"another namespace" and "unknown session"', () => {
    const { registry, store } = setup();
    store.left('s1', 'transport close', {});
    expect(registry.begin(registry.storeFor('/chat'), 'pid-1', undefined)).toMatchObject({ ok: false, reason: 'another namespace' });
    expect(registry.begin(store, 'nobody', undefined)).toMatchObject({ ok: false, reason: 'unknown session' });
    expect(registry.begin(store, 'x'.repeat(100_000), undefined)).toMatchObject({ ok: false, reason: 'unknown session' });
    // A namespace deleted and made again (cleanupEmptyChildNamespaces) has a new store: the session went with the old one.
    expect(registry.begin(registry.storeFor('/'), 'pid-1', undefined)).toMatchObject({
      ok: false,
      reason: 'session ended',
      detail: expect.stringContaining('deleted'),
    });
  });

  it('keeps no event twice when recovered twice: the second drop resumes after the first replay', () => {
    const { store, offsetOf, comeBack } = setup();
    store.left('s1', 'transport close', {});
    store.keep(['a'], ['room'], []);
    const first = comeBack(undefined);
    if (!first.ok) throw new Error(first.reason);
    const lastReplayed = first.packets[first.packets.length - 1]!;
    store.keep(['b'], ['room'], []); // written live, lost in a dead transport
    store.left('s1', 'transport close', {});
    const second = comeBack(offsetOf([...lastReplayed]));
    expect(second.ok && second.packets.map((data) => data[0])).toEqual(['b']);
  });
});
