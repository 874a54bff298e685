// The servers under test: which script runs each one, with which settings.
// Adding an implementation is one entry here and one script in bench/servers/.
import { startChild } from './child.mjs';

const script = (name) => new URL(`../servers/${name}`, import.meta.url).pathname;

export const SERVER_VARIANTS = {
  socketio: { label: 'socket.io 4', script: script('socketio4.mjs'), env: {} },
  iostate: { label: 'iostate', script: script('iostate.mjs'), env: { BENCH_EVENT_LOG: 'on' } },
  'iostate-nolog': { label: 'iostate (log off)', script: script('iostate.mjs'), env: { BENCH_EVENT_LOG: 'off' } },
  // Another build of iostate (BENCH_IOSTATE_B_ENTRY), log on: an A/B of two builds in one run.
  'iostate-b': { label: 'iostate B', script: script('iostate.mjs'), env: { BENCH_EVENT_LOG: 'on', BENCH_IOSTATE_BUILD: 'B' } },
  // The socket.io 4 face of the same engine (iostate/v4), log on.
  'iostate-v4': { label: 'iostate/v4', script: script('iostate-v4.mjs'), env: {} },
  'ws-floor': { label: 'ws floor', script: script('ws-floor.mjs'), env: {} },
};

/**
 * Forks one server with --expose-gc (the memory scenario forces collections);
 * `cpuProfilePath` makes it profile its measured phase into that file.
 */
export function startServer(id, { sizes, verbose, cpuProfilePath }) {
  const variant = SERVER_VARIANTS[id];
  return startChild({
    script: variant.script,
    execArgv: ['--expose-gc'],
    env: {
      ...variant.env,
      BENCH_BINARY_BYTES: String(sizes['binary-bytes']),
      ...(cpuProfilePath ? { BENCH_CPU_PROFILE: cpuProfilePath } : {}),
    },
    rpcTimeoutMs: sizes.timeout,
    readyTimeoutMs: 20_000,
    echoOutput: verbose,
  });
}
