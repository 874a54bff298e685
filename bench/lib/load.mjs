// The load generator as the orchestrator sees it: one or more worker
// processes, each holding an even share of the clients, driven as one.
import { startChild } from './child.mjs';

const WORKER_SCRIPT = new URL('../load/worker.mjs', import.meta.url).pathname;

function shares(total, parts) {
  return Array.from({ length: parts }, (_, index) => Math.floor(total / parts) + (index < total % parts ? 1 : 0));
}

/** `cpuProfile: { dir, name }` profiles each worker too, to check that the generator is not what limits a run. */
export async function startLoad({ workers, rpcTimeoutMs, echoOutput, cpuProfile }) {
  const profileArgs = (index) =>
    cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfile.dir}`, `--cpu-prof-name=${cpuProfile.name}-w${index + 1}.cpuprofile`] : [];
  const children = await Promise.all(
    Array.from({ length: workers }, (_, index) =>
      startChild({ script: WORKER_SCRIPT, execArgv: profileArgs(index), rpcTimeoutMs, readyTimeoutMs: 10_000, echoOutput }),
    ),
  );
  const all = (type, payloadOf = () => ({})) => Promise.all(children.map((child, index) => child.rpc(type, payloadOf(index))));

  return {
    /** Opens `count` clients across the workers; rooms are assigned by global client index. */
    async connect({ port, count, room = '', rooms = 1, concurrency, timeoutMs }) {
      const counts = shares(count, children.length);
      const offsets = counts.map((_, index) => counts.slice(0, index).reduce((sum, n) => sum + n, 0));
      const results = await all('connect', (index) => ({
        port,
        count: counts[index],
        room,
        rooms,
        indexOffset: offsets[index],
        concurrency: Math.max(1, Math.ceil(concurrency / children.length)),
        timeoutMs,
      }));
      return {
        elapsedMs: Math.max(...results.map((result) => result.elapsedMs)),
        connected: results.reduce((sum, result) => sum + result.connected, 0),
        failed: results.reduce((sum, result) => sum + result.failed, 0),
        firstError: results.find((result) => result.firstError)?.firstError ?? null,
      };
    },

    /** Arms every client to count `expected` deliveries; call `broadcast.run()` to drive them and wait. */
    async armBroadcast({ expected, messages, burst, window, kind }) {
      await all('arm-deliveries', () => ({ expected }));
      return {
        run: async () => {
          const done = all('await-deliveries');
          await children[0].rpc('drive-bursts', { messages, burst, window, kind });
          const results = await done;
          return { deliveries: results.reduce((sum, result) => sum + result.deliveries, 0) };
        },
      };
    },

    async ackRoundTrips({ perClient, payload }) {
      const results = await all('ack-round-trips', () => ({ perClient, payload }));
      return {
        elapsedMs: Math.max(...results.map((result) => result.elapsedMs)),
        latenciesUs: results.flatMap((result) => result.latenciesUs),
        failed: results.reduce((sum, result) => sum + result.failed, 0),
      };
    },

    closeAll: () => all('close'),
    stop: () => Promise.all(children.map((child) => child.stop())),
  };
}
