/**
 * The hand-over between two nodes' stores, pure: the holder hands over what
 * the client missed with each packet's cluster id; the node it came back to
 * adds what it took in since it asked, less those ids. A packet both saw is
 * replayed once, one only the new node saw is replayed too, in order.
 */
import { describe, expect, it } from 'vitest';
import { RecoveryRegistry } from '../../src/adapters/recovery/registry';
import { RECOVERY_DEFAULTS } from '../../src/adapters/recovery/options';

function node() {
  const registry = new RecoveryRegistry(RECOVERY_DEFAULTS);
  return { registry, store: registry.storeFor('/') };
}

describe('recovery hand-over between nodes', () => {
  it('replays the holder’s packets, then the new node’s own, each cluster id once', () => {
    const a = node();
    const b = node();
    a.store.open('s1', 'pid-1');
    a.store.roomChanged('s1', 's1', true);
    a.store.roomChanged('s1', 'room', true);
    const both = (n: number) => {
      const data = a.store.keep([n], ['room'], [], { id: `x${n}` });
      b.store.keep([n], ['room'], [], { id: `x${n}` });
      return data;
    };
    const received = both(1);
    const offset = received[received.length - 1];
    a.store.left('s1', 'transport close', { user: 'ada' });
    both(2);
    const from = b.store.position; // b asks a now
    b.store.keep([3], ['room'], [], { id: 'x3' }); // b takes in x3 before a answers…
    a.store.keep([3], ['room'], [], { id: 'x3' }); // …and a sees it too before it answers
    b.store.keep([9], ['elsewhere'], [], { id: 'x9' }); // not its room
    const handed = a.store.handOver('pid-1', offset);
    expect(handed.ok).toBe(true);
    if (!handed.ok) return;
    expect(handed.packets.map((p) => [p.data, p.id])).toEqual([
      [[2], 'x2'],
      [[3], 'x3'],
    ]);
    b.store.keep([4], ['room'], [], { id: 'x4' }); // arrives at b only after a answered
    const adopted = b.store.adopt('pid-1', handed, from);
    if (!adopted.ok) throw new Error('not adopted');
    const restored = b.store.finish(adopted.session, adopted.from);
    if (!restored.ok) throw new Error(restored.reason);
    expect(restored.packets.map((data) => data[0])).toEqual([2, 3, 4]);
    expect(restored).toMatchObject({ socketId: 's1', data: { user: 'ada' } });
    expect([...restored.rooms].sort()).toEqual(['room', 's1']);
    // Each replayed packet carries an offset of b's store: a later drop resumes there.
    for (const data of restored.packets) expect(String(data[data.length - 1]).startsWith(b.store.epoch)).toBe(true);
    // a forgot it, and says so.
    expect(a.registry.begin(a.store, 'pid-1', offset)).toMatchObject({ ok: false, reason: 'unknown session', detail: 'it was recovered on another node' });
  });
});
