// `npm run bench`: socket.io 4 and iostate side by side, in the same run.
// Each round runs every scenario once per server, rotating which server goes
// first; every run gets a fresh server process and fresh load generator
// process(es). Writes latest.json and latest.md to the output directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChildUnavailableError } from './lib/child.mjs';
import { startLoad } from './lib/load.mjs';
import { describeMachine } from './lib/machine.mjs';
import { METRICS } from './lib/metrics.mjs';
import { readOptions } from './lib/options.mjs';
import { describeSource } from './lib/provenance.mjs';
import { buildResults, renderMarkdown } from './lib/report.mjs';
import { SCENARIO_RUNNERS } from './lib/scenarios.mjs';
import { SERVER_VARIANTS, startServer } from './lib/servers.mjs';

function log(line) {
  process.stderr.write(`${line}\n`);
}

function rotate(items, by) {
  const shift = by % Math.max(1, items.length);
  return [...items.slice(shift), ...items.slice(0, shift)];
}

function describeSample(scenario, metrics) {
  return METRICS[scenario].map((metric) => `${metric.label} ${(metrics[metric.id] * (metric.scale ?? 1)).toPrecision(4)} ${metric.unit}`).join(', ');
}

/** One scenario against one server: fresh processes, figures or an error; null if the server cannot run at all. */
async function runOnce({ id, scenario, round, options, servers }) {
  const profileDir = join(options.out, 'profiles');
  const profileName = `${id}-${scenario}-r${round + 1}`;
  // Both processes boot at once: start-up is most of a smoke run's time.
  const [serverStart, loadStart] = await Promise.allSettled([
    startServer(id, {
      sizes: options.sizes,
      verbose: options.verbose,
      cpuProfilePath: options.profile ? join(profileDir, `${profileName}.cpuprofile`) : null,
    }),
    startLoad({
      workers: options.sizes.workers,
      rpcTimeoutMs: options.sizes.timeout,
      echoOutput: options.verbose,
      cpuProfile: options.profile ? { dir: profileDir, name: `load-${profileName}` } : null,
    }),
  ]);
  const server = serverStart.value;
  const load = loadStart.value;
  try {
    if (serverStart.status === 'rejected') throw serverStart.reason;
    if (loadStart.status === 'rejected') throw loadStart.reason;
    servers[id].version = server.ready.version;
    const metrics = await SCENARIO_RUNNERS[scenario]({
      server,
      load,
      port: server.ready.port,
      sizes: options.sizes,
      smoke: options.smoke,
      heapSnapshotPath: options.profile && round === 0 ? join(profileDir, `${id}-memory-r1.heapsnapshot`) : null,
    });
    return { metrics };
  } catch (error) {
    if (error instanceof ChildUnavailableError) {
      servers[id].available = false;
      servers[id].reason = error.message;
      return null;
    }
    const tail = server?.outputTail().trim();
    return { error: tail ? `${error.message}\nserver output:\n${tail}` : error.message };
  } finally {
    await Promise.all([load?.stop(), server?.stop()]);
  }
}

async function main() {
  let options;
  try {
    options = readOptions();
  } catch (error) {
    log(error.message);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    log(options.help);
    return;
  }
  mkdirSync(options.profile ? join(options.out, 'profiles') : options.out, { recursive: true });

  const startedAt = Date.now();
  const source = describeSource(); // before the run: others may commit while it lasts
  const servers = Object.fromEntries(
    options.servers.map((id) => [
      id,
      {
        label: SERVER_VARIANTS[id].label,
        version: null,
        available: true,
        reason: null,
      },
    ]),
  );
  const samples = Object.fromEntries(options.scenarios.map((scenario) => [scenario, {}]));
  const rounds = options.sizes.rounds;

  for (let round = 0; round < rounds; round += 1) {
    for (const scenario of options.scenarios) {
      const order = rotate(options.servers, round).filter((id) => servers[id].available);
      for (const id of order) {
        const sample = await runOnce({ id, scenario, round, options, servers });
        if (sample === null) {
          log(`${servers[id].label}: not runnable, skipped: ${servers[id].reason.split('\n')[0]}`);
          continue;
        }
        (samples[scenario][id] ??= []).push(sample);
        const outcome = sample.metrics ? describeSample(scenario, sample.metrics) : `FAILED: ${sample.error.split('\n')[0]}`;
        log(`[round ${round + 1}/${rounds}] ${scenario} · ${servers[id].label}: ${outcome}`);
      }
    }
  }

  const results = buildResults({ startedAt, machine: describeMachine(), source, options, servers, samples });
  const markdown = renderMarkdown(results);
  writeFileSync(join(options.out, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(options.out, 'latest.md'), markdown);
  process.stdout.write(markdown);
  log(`wrote ${join(options.out, 'latest.json')} and latest.md`);
  const failed = Object.values(results.scenarios).some((entry) => Object.keys(entry.errors).length > 0);
  if (failed) process.exitCode = 1;
}

await main();
