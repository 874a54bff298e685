/**
 * Random scenarios on iostate/v4 and on socket.io 4.8, compared: fast-check
 * draws a few socket.io-client 4.x clients (WebSocket, or polling then the
 * upgrade) on `/`, `/chat` and children of a dynamic namespace, some refused
 * by a middleware with `err.data`, and a list of actions (joins and leaves,
 * broadcasts through to/in/except/local/volatile, socket.to/except/broadcast,
 * acks with and without answers, fetchSockets and what its sockets do,
 * socketsJoin/Leave, disconnectSockets, disconnects from either side,
 * reconnections, transports cut with connection state recovery). Each client's
 * transcript and the app's must be the same on both servers.
 *
 * IOSTATE_V4_RANDOM_RUNS raises the number of runs to hunt for differences.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scenarioArbitrary } from './random-scenario/model';
import { runScenario } from './random-scenario/run';

const RUNS = Number(process.env.IOSTATE_V4_RANDOM_RUNS ?? 16);
const SEED = process.env.IOSTATE_V4_RANDOM_SEED === undefined ? undefined : Number(process.env.IOSTATE_V4_RANDOM_SEED);
/** Long against a round trip on localhost: only clients told not to answer miss it. */
const ACK_TIMEOUT_MS = 1500;

describe('random v4 scenarios: iostate/v4 and socket.io 4.8 alike', () => {
  it(
    'every client and the app see the same on both servers',
    async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArbitrary(Number(process.env.IOSTATE_V4_RANDOM_ACTIONS ?? 20)), async (scenario) => {
          const ours = await runScenario('iostate/v4', scenario, ACK_TIMEOUT_MS);
          const theirs = await runScenario('socket.io 4', scenario, ACK_TIMEOUT_MS);
          expect(ours).toEqual(theirs);
        }),
        { numRuns: RUNS, seed: SEED },
      );
    },
    RUNS * 15_000,
  );
});
