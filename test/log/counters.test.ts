/**
 * The counters projection (what /metrics exports as totals): every event
 * counted once, whatever other nodes' records (a shared Redis stream that
 * anyone with access can write to) invent; its memory bounded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventLog } from '../../src/log/event-log';
import type { LogEvent } from '../../src/log/events';
import { MAX_KEYS, MAX_NODES, MIDDLEWARE_BUCKETS_MS, OTHER, countersOf, emptyCounters, foldCounters } from '../../src/log/projections';

const stamp = (node: string, seq: number) => ({ seq, ts: Date.UTC(2026, 0, 1), node });

const total = (map: Map<string, number>) => [...map.values()].reduce((sum, n) => sum + n, 0);

describe('the counters projection', () => {
  it('counts every close, disconnect, upgrade and middleware time once, per node, with at most MAX_KEYS reasons', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            node: fc.constantFrom('a', 'b'),
            kind: fc.constantFrom('close', 'disconnect', 'upgrade', 'connect', 'refused'),
            reason: fc.string({ maxLength: 4 }),
            ms: fc.double({ min: 0, max: 60_000, noNaN: true }),
          }),
          { maxLength: 300 },
        ),
        (specs) => {
          const state = emptyCounters();
          specs.forEach(({ node, kind, reason, ms }, i) => {
            const s = stamp(node, i + 1);
            const event: LogEvent =
              kind === 'close'
                ? { ...s, type: 'conn.close', sid: `c${i}`, reason, initiator: 'client', transport: 'websocket' }
                : kind === 'disconnect'
                  ? { ...s, type: 'socket.disconnect', socketId: `k${i}`, nsp: '/', reason, initiator: 'client' }
                  : kind === 'upgrade'
                    ? { ...s, type: 'conn.upgrade', sid: `c${i}`, step: 'failed', to: 'websocket' }
                    : kind === 'connect'
                      ? { ...s, type: 'socket.connect', sid: `c${i}`, socketId: `k${i}`, nsp: '/', protocol: 5, middlewareMs: ms }
                      : { ...s, type: 'socket.refused', sid: `c${i}`, nsp: '/', message: reason, middlewareMs: ms };
            foldCounters(state, event);
          });
          for (const node of ['a', 'b']) {
            const mine = specs.filter((spec) => spec.node === node);
            const count = (kind: string) => mine.filter((spec) => spec.kind === kind).length;
            const counters = countersOf(state, node);
            expect(total(counters.closed)).toBe(count('close'));
            expect(total(counters.disconnects)).toBe(count('disconnect'));
            expect(counters.upgrades.get('failed') ?? 0).toBe(count('upgrade'));
            expect(counters.closed.size).toBeLessThanOrEqual(MAX_KEYS + 1);
            for (const [outcome, kind] of [
              ['connected', 'connect'],
              ['refused', 'refused'],
            ] as const) {
              const histogram = counters.middleware[outcome];
              const durations = mine.filter((spec) => spec.kind === kind).map((spec) => spec.ms);
              expect(histogram.count).toBe(durations.length);
              expect(histogram.buckets.reduce((sum, n) => sum + n, 0)).toBe(durations.length);
              // Each duration in the first bucket whose bound holds it.
              MIDDLEWARE_BUCKETS_MS.forEach((bound, index) => {
                const below = index === 0 ? -Infinity : MIDDLEWARE_BUCKETS_MS[index - 1]!;
                expect(histogram.buckets[index]).toBe(durations.filter((ms) => ms > below && ms <= bound).length);
              });
              expect(histogram.sumMs).toBeCloseTo(
                durations.reduce((sum, ms) => sum + ms, 0),
                6,
              );
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps forged reasons and node names from growing it, and its own node first', () => {
    const log = new EventLog({ node: 'here', capacity: false });
    for (let i = 0; i < 1000; i++) {
      log.ingest({ ...stamp(`forged-${i}`, 1), type: 'conn.close', sid: `x${i}`, reason: 'ping timeout', initiator: 'server', transport: 'polling' });
      log.ingest({ ...stamp('there', i + 1), type: 'socket.disconnect', socketId: `y${i}`, nsp: '/', reason: `invented ${i}`, initiator: 'client' });
    }
    const nodes = log.projections.counters.nodes;
    expect(nodes.size).toBe(MAX_NODES + 1);
    expect(nodes.has('here')).toBe(true);
    // Past MAX_NODES, new names share one entry; nothing is lost.
    const closes = [...nodes.values()].reduce((sum, counters) => sum + total(counters.closed), 0);
    expect(closes).toBe(1000);
    expect(total(nodes.get(OTHER)!.closed)).toBe(1000 - (MAX_NODES - 2));
    const there = nodes.get('there')!;
    expect(there.disconnects.size).toBe(MAX_KEYS + 1);
    expect(there.disconnects.get(OTHER)).toBe(1000 - MAX_KEYS);
    expect(total(there.disconnects)).toBe(1000);
  });
});
