// Command line and environment settings of a bench run. Every size is a flag
// (`--broadcast-clients 500`) and an environment variable
// (`BENCH_BROADCAST_CLIENTS=500`); the flag wins, then the environment, then
// the defaults (the sizes of issue 6) or, with --smoke, tiny sizes.
import { parseArgs } from 'node:util';

export const SCENARIOS = ['connect', 'memory', 'broadcast', 'binary', 'acks'];
export const SERVERS = ['socketio', 'iostate', 'iostate-nolog', 'iostate-v4', 'socketio-recovery', 'iostate-recovery', 'ws-floor', 'iostate-b'];
/** ws-floor is a reference, not a contender, and iostate-b another build to compare: only when asked for. */
const DEFAULT_SERVERS = ['socketio', 'iostate', 'iostate-nolog'];

const FULL = {
  rounds: 5,
  'connect-clients': 2000,
  'memory-clients': 5000,
  'memory-rooms': 50,
  'broadcast-clients': 1000,
  'broadcast-messages': 500,
  'broadcast-burst': 10,
  'binary-clients': 200,
  // binary-messages and ack-rounds: phases of a few seconds, so that one scheduling hiccup does not make a round's figure.
  'binary-messages': 150,
  'binary-burst': 5,
  'binary-bytes': 64 * 1024,
  'ack-clients': 200,
  'ack-rounds': 300,
  window: 4,
  concurrency: 100,
  workers: 1,
  timeout: 120_000,
};

const SMOKE = {
  ...FULL,
  rounds: 1,
  'connect-clients': 20,
  'memory-clients': 40,
  'memory-rooms': 4,
  'broadcast-clients': 10,
  'broadcast-messages': 20,
  'broadcast-burst': 5,
  'binary-clients': 4,
  'binary-messages': 4,
  'binary-burst': 2,
  'ack-clients': 5,
  'ack-rounds': 10,
  concurrency: 20,
  timeout: 15_000,
};

const USAGE = `Usage: node bench/run.mjs [options]
  --smoke                 tiny sizes, one round (a quick check, not a measurement)
  --rounds N              rounds; each round runs every server once per scenario, in rotating order
  --scenarios a,b         subset of ${SCENARIOS.join(',')}
  --servers a,b           any of ${SERVERS.join(',')} (default ${DEFAULT_SERVERS.join(',')})
  --out DIR               where latest.json and latest.md go (default bench/results)
  --profile               also write server CPU profiles and heap snapshots to DIR/profiles
  --verbose               echo the children's output
  sizes: ${Object.keys(FULL)
    .filter((key) => key !== 'rounds')
    .map((key) => `--${key} N`)
    .join(', ')}
  every option also reads BENCH_<NAME> from the environment (BENCH_BROADCAST_CLIENTS=500)`;

function envName(key) {
  return `BENCH_${key.toUpperCase().replaceAll('-', '_')}`;
}

function positiveInteger(key, text) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${key} must be a non-negative integer, got '${text}'`);
  return value;
}

function listOf(key, text, allowed) {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const unknown = items.filter((item) => !allowed.includes(item));
  if (unknown.length > 0) throw new Error(`--${key}: unknown ${unknown.join(', ')} (choose from ${allowed.join(', ')})`);
  return items;
}

/** Parses argv and the environment; throws an Error with a usage text on bad input. */
export function readOptions(argv = process.argv.slice(2), env = process.env) {
  const numeric = Object.fromEntries(Object.keys(FULL).map((key) => [key, { type: 'string' }]));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        ...numeric,
        smoke: { type: 'boolean' },
        profile: { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean' },
        scenarios: { type: 'string' },
        servers: { type: 'string' },
        out: { type: 'string' },
      },
    }).values;
  } catch (error) {
    throw new Error(`${error.message}\n${USAGE}`);
  }
  if (parsed.help) return { help: USAGE };

  const flagOrEnv = (key) => parsed[key] ?? env[envName(key)];
  const smoke = Boolean(parsed.smoke ?? env.BENCH_SMOKE === '1');
  const defaults = smoke ? SMOKE : FULL;
  const sizes = {};
  for (const key of Object.keys(FULL)) {
    const given = flagOrEnv(key);
    sizes[key] = given === undefined ? defaults[key] : positiveInteger(key, given);
  }
  if (sizes.rounds < 1) throw new Error('--rounds must be at least 1');
  if (sizes.workers < 1) throw new Error('--workers must be at least 1');
  const scenarios = flagOrEnv('scenarios');
  const servers = flagOrEnv('servers');
  return {
    smoke,
    profile: Boolean(parsed.profile ?? env.BENCH_PROFILE === '1'),
    verbose: Boolean(parsed.verbose ?? env.BENCH_VERBOSE === '1'),
    scenarios: scenarios ? listOf('scenarios', scenarios, SCENARIOS) : SCENARIOS,
    servers: servers ? listOf('servers', servers, SERVERS) : DEFAULT_SERVERS,
    out: flagOrEnv('out') ?? new URL('../results/', import.meta.url).pathname,
    sizes,
  };
}
