// Differential scenarios: one scenario, run against socket.io 2.5.1 with a
// 2.x client (the reference) and against iostate with each client
// generation, returns what the client and the app observed; iostate's
// observations must equal the reference's. A scenario records plain values
// (frames, event arguments, orders, error messages), never timings.
import { describe, expect, it } from 'vitest';
import { allClients, type ClientKind, clientV2 } from './clients';
import { startServer, type Fixture } from './fixture';
import { createServerOn, isReference, type TargetName } from './target';
import type { ServerLike } from './api';

/** One side of the comparison: which server, and a fixture factory for it. */
export interface Side {
  target: TargetName;
  start(options?: Record<string, unknown>): Promise<Fixture>;
  /** `new Server(...args)`, for the forms `start` does not cover; hand it to `adopt` for cleanup. */
  create(...args: unknown[]): ServerLike;
}

export type Scenario = (side: Side, kind: ClientKind) => Promise<unknown>;

export interface DifferentialOptions {
  /** The client generations iostate is checked with (default both; the reference always runs with 2.x). */
  clients?: ClientKind[];
  /** What socket.io 2.5.1 is known to do: checked on the reference's observations, so a scenario that observes nothing cannot pass. */
  reference?: (observed: any) => void;
}

function side(target: TargetName): Side {
  return { target, start: (options) => startServer(options, target), create: (...args) => createServerOn(target, ...args) };
}

const reference = side('socket.io-v2');
const ours = side('iostate');

/**
 * Declares one test per client generation: the scenario runs on the
 * reference, then on iostate, and both observations are compared. Skipped
 * when the whole suite targets the reference (there is nothing to compare).
 */
export function itMatchesReference(title: string, scenario: Scenario, options: DifferentialOptions = {}): void {
  describe.skipIf(isReference)(title, () => {
    for (const kind of options.clients ?? allClients) {
      it(`iostate with ${kind.name} observes what socket.io 2.5.1 does`, async () => {
        const expected = await scenario(reference, clientV2);
        options.reference?.(expected);
        const observed = await scenario(ours, kind);
        expect(observed).toEqual(expected);
      });
    }
  });
}

/** Event arguments with binaries as `{ bytes: [...] }`: the generations hand them over as Buffer or ArrayBuffer. */
export function plain(value: unknown): unknown {
  if (value instanceof ArrayBuffer) return { bytes: [...new Uint8Array(value)] };
  if (ArrayBuffer.isView(value)) return { bytes: [...new Uint8Array(value.buffer, value.byteOffset, value.byteLength)] };
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  return value;
}
