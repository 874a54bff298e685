// Random scenarios, differential: fast-check makes a few socket.io-client 2.x
// clients (WebSocket only, polling then upgrading, polling only) and a list of client
// and app actions over `/`, a namespace with an async refusing middleware,
// the children of a RegExp parent and of a function parent; the scenario is
// played on socket.io 2.5.1 and on iostate, and what every client connection
// got (in order) and what the app saw must be the same.
//
// IOSTATE_RANDOM_SCENARIOS=<runs> hunts with more runs (and
// IOSTATE_RANDOM_SCENARIOS_SEED=<seed> replays a failure).
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { isReference } from './harness/target';
import { KNOWN_SCENARIO } from './random-scenarios/known-scenario';
import { playOnBoth } from './random-scenarios/run';
import { scenarioArbitrary } from './random-scenarios/steps';

const RUNS = Number(process.env.IOSTATE_RANDOM_SCENARIOS ?? 25);
const SEED = process.env.IOSTATE_RANDOM_SCENARIOS_SEED;

it.skipIf(isReference)('a scenario with every kind of step: iostate’s clients and app observe what socket.io 2.5.1’s do', async () => {
  const { ours, theirs } = await playOnBoth(KNOWN_SCENARIO);
  // The sender is left out of socket.to(r1); c0 reconnected after disconnect(true).
  expect(theirs.clients['c1.0']).toContainEqual(['/', 'event', 'm', 'to r1']);
  expect(theirs.clients['c0.0']).not.toContainEqual(['/', 'event', 'm', 'to r1']);
  expect(theirs.clients['c0.0']).toContainEqual(['/a', 'disconnect', 'io server disconnect']);
  expect(theirs.clients['c2.0']).toContainEqual(['/a', 'error', { refused: 'c2.0/a' }]);
  expect(theirs.clients['c2.0']).toContainEqual(['/nope', 'error', 'Invalid namespace']);
  expect(theirs.clients['c1.0']).toContainEqual(['/a', 'ack', 'echoed', { bytes: [9] }, 'x']);
  expect(theirs.app.perSocket['c2.0/fn']).toContainEqual(['answered', 'answer', 'q', '/fn']);
  expect(theirs.app.observations).toContainEqual([11, 'clients', ['c0.0/', 'c1.0/']]);
  expect(ours).toEqual(theirs);
});

it.skipIf(isReference)(
  'random scenarios: iostate’s clients and app observe what socket.io 2.5.1’s do',
  async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async (scenario) => {
        const { ours, theirs } = await playOnBoth(scenario);
        expect(ours).toEqual(theirs);
      }),
      { numRuns: RUNS, ...(SEED ? { seed: Number(SEED) } : {}) },
    );
  },
  Math.max(60_000, RUNS * 10_000),
);
