// The live inspector at 100k idle sockets (`npm run bench:inspector`).
//
// Starts the server of bench/inspector/server.mjs, fills it with idle raw
// clients from several worker processes (six sockets per connection: '/' and
// /n1../n5, multiplexed as socket.io-client does), then measures:
//   - GET snapshot: full (no limit), ?limit=300, and ?q= one socket's id;
//   - the server's CPU (utime + stime from /proc) over windows that alternate:
//     no page, the live page open in headless Chromium, no page, … (BENCH_PAIRS
//     open windows), then a plain HTTP listener of the live stream, no page
//     (BENCH_LISTENER_WINDOWS times);
//     each after a forced GC, so no step pays for the garbage of the last. Each
//     open window is compared with the mean of the two closed ones around it.
//     The CPU of everything else (load workers, Chromium, this script) is
//     read for each window too;
//   - the page: time until it shows every socket, and how fast it answers
//     while open (an evaluate round trip, a scroll to the middle of 100k rows).
// Writes bench/results/inspector-latest.json and prints a Markdown table.
//
// Environment: BENCH_SOCKETS (default 100000), BENCH_WORKERS (4),
// BENCH_WINDOW_S (50: two 25 s ping intervals, so every connection pings
// exactly twice in each window), BENCH_PAIRS (3), CHROMIUM (/usr/bin/chromium),
// BENCH_LISTENER_WINDOWS (2), BENCH_PIN (1: for the CPU windows, the server
// alone on the last CPU, everything else on the others, so the browser and
// the load clients do not run on the server's core; 0 leaves scheduling to
// the kernel).
// BENCH_ONLY=snapshot, BENCH_BASE_DIST (an A/B of the snapshot), BENCH_PROFILE
// (a CPU profile of the snapshots), BENCH_PROFILE_WINDOWS (of each CPU window).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { startChild } from './lib/child.mjs';

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 100_000);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 4);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_S ?? 50) * 1000;
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const LISTENER_WINDOWS = Number(process.env.BENCH_LISTENER_WINDOWS ?? 2);
const PIN = process.env.BENCH_PIN !== '0' && os.cpus().length >= 2;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ONLY_SNAPSHOT = process.env.BENCH_ONLY === 'snapshot';
const BASE_DIST = process.env.BENCH_BASE_DIST;
const PROFILE = process.env.BENCH_PROFILE;
/** A path prefix: each CPU window is profiled too, into <prefix>-closed-N.cpuprofile and <prefix>-open-N.cpuprofile. */
const PROFILE_WINDOWS = process.env.BENCH_PROFILE_WINDOWS;
const CLOCK_TICKS = 100; // USER_HZ on Linux

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (text) => process.stderr.write(`[bench:inspector] ${text}\n`);

/** The process's CPU time so far, in seconds (utime + stime of /proc/PID/stat). */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** This process and every process below it (load workers, Chromium's many), but `except`. */
function othersOf(root, except) {
  const parentOf = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parentOf.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone while listing.
    }
  }
  const below = (pid) => pid === root || (parentOf.has(pid) && pid !== except && below(parentOf.get(pid)));
  return [...parentOf.keys()].filter((pid) => pid !== except && below(pid));
}

/** CPU seconds of `pids` so far; one that has gone since counts nothing. */
function cpuOfAll(pids) {
  let total = 0;
  for (const pid of pids) {
    try {
      total += cpuSeconds(pid);
    } catch {
      // Exited.
    }
  }
  return total;
}

/** CPU of `pid` over `ms`, and of everything else this benchmark runs, as percentages of one core. */
async function cpuOver(pid, ms) {
  const others = othersOf(process.pid, pid);
  const before = cpuSeconds(pid);
  const othersBefore = cpuOfAll(others);
  const started = performance.now();
  await sleep(ms);
  const elapsed = (performance.now() - started) / 1000;
  return { server: (100 * (cpuSeconds(pid) - before)) / elapsed, others: (100 * (cpuOfAll(others) - othersBefore)) / elapsed };
}

/** Puts `pid` and all its threads on `cpus` (a taskset list such as "0" or "1-3"). */
const pin = (pid, cpus) => execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });

async function timedGet(url) {
  const started = performance.now();
  const response = await globalThis.fetch(url);
  const body = await response.text();
  return { ms: performance.now() - started, bytes: Buffer.byteLength(body), body };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (value, digits = 1) => Number(value.toFixed(digits));

async function main() {
  const children = [];
  let browser;
  const lastCpu = os.cpus().length - 1;
  try {
    const server = await startChild({
      script: new URL('./inspector/server.mjs', import.meta.url).pathname,
      execArgv: ['--max-old-space-size=8192', '--expose-gc'],
      rpcTimeoutMs: 60_000,
      readyTimeoutMs: 30_000,
    });
    children.push(server);
    const { port, pid, namespaces } = server.ready;
    const base = `http://127.0.0.1:${port}/iostate`;
    const connections = Math.ceil(SOCKETS / namespaces.length);
    log(`server pid ${pid} on port ${port}; opening ${connections} connections × ${namespaces.length} namespaces from ${WORKERS} workers`);

    const workers = await Promise.all(
      Array.from({ length: WORKERS }, () =>
        startChild({ script: new URL('./load/worker.mjs', import.meta.url).pathname, rpcTimeoutMs: 600_000, readyTimeoutMs: 30_000 }),
      ),
    );
    children.push(...workers);
    const connectStarted = performance.now();
    const shares = workers.map((_, index) => Math.floor(connections / WORKERS) + (index < connections % WORKERS ? 1 : 0));
    const opened = await Promise.all(
      workers.map((worker, index) =>
        worker.rpc('connect', { port, count: shares[index], concurrency: 50, timeoutMs: 60_000, namespaces: namespaces.filter((name) => name !== '/') }),
      ),
    );
    const failed = opened.reduce((sum, result) => sum + result.failed, 0);
    if (failed > 0) throw new Error(`${failed} clients failed to connect: ${opened.find((result) => result.firstError)?.firstError}`);
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    const counted = JSON.parse((await timedGet(`${base}/snapshot?limit=0&closed=0`)).body).totals;
    log(`connected in ${connectSeconds.toFixed(1)} s: ${counted.sockets} sockets on ${counted.connections} connections`);

    // Idle from here on: let a whole ping interval pass so every connection is in its steady heartbeat.
    await sleep(WINDOW_MS);

    // Wall time depends on what else the machine runs; the server's CPU time for the request does much less.
    const snapshot = { full: [], fullCpu: [], limited: [], query: [], baseFull: [], baseFullCpu: [] };
    // Each full snapshot starts after a forced GC, so that none pays for the garbage of the one before (the other build's in an A/B).
    const timedFull = async (url, wall, cpu) => {
      await server.rpc('gc');
      await sleep(1000);
      const cpuBefore = cpuSeconds(pid);
      const full = await timedGet(url);
      cpu.push((cpuSeconds(pid) - cpuBefore) * 1000);
      wall.push(full.ms);
      return full;
    };
    let fullBytes = 0;
    if (PROFILE) await server.rpc('profileStart');
    for (let run = 0; run < 3; run++) {
      if (BASE_DIST) await timedFull(`http://127.0.0.1:${port}/iostate-base/snapshot`, snapshot.baseFull, snapshot.baseFullCpu);
      const full = await timedFull(`${base}/snapshot`, snapshot.full, snapshot.fullCpu);
      fullBytes = full.bytes;
      const { totals, sockets } = JSON.parse(full.body);
      if (sockets.length !== totals.sockets + (totals.connecting ?? 0))
        throw new Error(`the full snapshot lists ${sockets.length} of ${totals.sockets} sockets`);
      snapshot.limited.push((await timedGet(`${base}/snapshot?limit=300`)).ms);
      snapshot.query.push((await timedGet(`${base}/snapshot?q=room-42&limit=300`)).ms);
    }
    if (PROFILE) await server.rpc('profileStop', { file: PROFILE });
    const figures = (list) => list.map((ms) => ms.toFixed(0)).join(', ');
    log(
      `snapshot: full ${figures(snapshot.full)} ms (server CPU ${figures(snapshot.fullCpu)} ms; ${(fullBytes / 1e6).toFixed(1)} MB); limit=300 ${figures(snapshot.limited)} ms`,
    );
    if (BASE_DIST) log(`snapshot of ${BASE_DIST}: full ${figures(snapshot.baseFull)} ms (server CPU ${figures(snapshot.baseFullCpu)} ms)`);
    const snapshotResult = {
      full: snapshot.full.map((ms) => round(ms)),
      fullServerCpu: snapshot.fullCpu.map((ms) => round(ms)),
      limit300: snapshot.limited.map((ms) => round(ms)),
      query: snapshot.query.map((ms) => round(ms)),
      ...(BASE_DIST && {
        base: { dist: BASE_DIST, full: snapshot.baseFull.map((ms) => round(ms)), fullServerCpu: snapshot.baseFullCpu.map((ms) => round(ms)) },
      }),
    };
    if (ONLY_SNAPSHOT) {
      const result = {
        date: new Date().toISOString(),
        sockets: counted.sockets,
        connections: counted.connections,
        snapshotMs: snapshotResult,
        snapshotFullMb: round(fullBytes / 1e6),
        loadAverage: os.loadavg().map((value) => round(value)),
      };
      writeFileSync(new URL('./results/inspector-snapshot-latest.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    await sleep(5000);

    // From here on the server has a core of its own (the snapshots above are timed as a deployment runs them,
    // with the kernel's scheduling): this script, the workers and, started later, Chromium share the others.
    if (PIN) {
      for (const other of othersOf(process.pid, pid)) pin(other, lastCpu === 1 ? '0' : `0-${lastCpu - 1}`);
      pin(pid, String(lastCpu));
      log(`server alone on CPU ${lastCpu} for the CPU windows`);
    }
    const windows = { closed: [], open: [], listener: [] };
    /** Every window in order, with the CPU of the server and of everything else. */
    const sequence = [];
    /** CPU over one window, with a profile of it when asked (the profiler's cost falls on every kind alike). */
    const measuredWindow = async (kind) => {
      if (PROFILE_WINDOWS) await server.rpc('profileStart');
      const cpu = await cpuOver(pid, WINDOW_MS);
      if (PROFILE_WINDOWS) await server.rpc('profileStop', { file: `${PROFILE_WINDOWS}-${kind}-${windows[kind].length + 1}.cpuprofile` });
      windows[kind].push(cpu.server);
      sequence.push({ kind, server: round(cpu.server), others: round(cpu.others) });
      return cpu;
    };
    const closedWindow = async () => {
      await server.rpc('gc');
      await sleep(2000);
      const cpu = await measuredWindow('closed');
      log(`CPU, no page: server ${cpu.server.toFixed(1)} %, the rest ${cpu.others.toFixed(1)} %`);
    };
    await closedWindow();

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const snapshotRequests = [];
    const probes = [];
    const pageRuns = [];
    for (let round = 0; round < PAIRS; round++) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, bypassCSP: true });
      page.on('request', (request) => request.url().includes('/snapshot') && snapshotRequests.push(request.url()));
      const pageStarted = performance.now();
      await page.goto(`${base}/`);
      // A client starved on this loaded machine may have missed its pong since the count: within 1% is every socket.
      await page.waitForFunction(`Number(document.getElementById('sockets-count').textContent) >= ${Math.floor(counted.sockets * 0.99)}`, undefined, {
        timeout: 300_000,
      });
      const readyMs = performance.now() - pageStarted;
      log(`page shows ${await page.textContent('#sockets-count')} sockets after ${(readyMs / 1000).toFixed(1)} s`);
      await sleep(3000);
      await server.rpc('gc');
      await sleep(2000);
      // The page open: CPU over the window, while probing how fast the page answers.
      const probing = (async () => {
        const until = performance.now() + WINDOW_MS;
        while (performance.now() < until) {
          const started = performance.now();
          await page.evaluate('1 + 1');
          probes.push(performance.now() - started);
          await sleep(1000);
        }
      })();
      const cpu = await measuredWindow('open');
      await probing;
      const scrollStarted = performance.now();
      await page.evaluate(`document.getElementById('sockets').scrollTop = ${Math.floor(counted.sockets / 2) * 22}`);
      await page.waitForFunction(`document.querySelectorAll('#sockets tr').length > 3 && document.getElementById('sockets').scrollTop > 0`);
      pageRuns.push({ readyMs: Math.round(readyMs), scrollMs: Math.round(performance.now() - scrollStarted) });
      log(
        `CPU, page open: server ${cpu.server.toFixed(1)} %, the rest ${cpu.others.toFixed(1)} %; page answered in median ${median(probes).toFixed(1)} ms, max ${Math.max(...probes).toFixed(1)} ms`,
      );
      await page.close();
      await sleep(3000);
      await closedWindow();
    }
    await browser.close();
    browser = undefined;

    // The same live stream read by a plain HTTP client, no browser on the machine: the server's own cost of a
    // listener, apart from Chromium's share of the two cores.
    for (let round = 0; round < LISTENER_WINDOWS; round++) {
      const listener = await new Promise((resolve, reject) => http.get(`${base}/events?live=1`, resolve).on('error', reject));
      let listenerBytes = 0;
      listener.on('data', (chunk) => (listenerBytes += chunk.length));
      await sleep(10_000);
      await server.rpc('gc');
      await sleep(2000);
      const listenerCpu = await measuredWindow('listener');
      listener.destroy();
      log(`CPU, a plain HTTP listener of the live stream (${(listenerBytes / 1e6).toFixed(1)} MB read): server ${listenerCpu.server.toFixed(1)} %`);
      await sleep(3000);
      await closedWindow();
    }

    const memory = await server.rpc('memory');
    const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const closed = mean(windows.closed);
    const open = mean(windows.open);
    // Each open window against the closed ones just before and after it: a drift of the idle server over the run
    // falls on both sides of the pair.
    const paired = windows.open.map((value, index) => {
      const around = (windows.closed[index] + windows.closed[index + 1]) / 2;
      return round((100 * (value - around)) / around);
    });
    const result = {
      date: new Date().toISOString(),
      sockets: counted.sockets,
      connections: counted.connections,
      namespaces: namespaces.length,
      connectSeconds: round(connectSeconds),
      serverRssMb: Math.round(memory.rss / 1e6),
      snapshotMs: snapshotResult,
      snapshotFullMb: round(fullBytes / 1e6),
      loadAverage: os.loadavg().map((value) => round(value)),
      cpuPercent: {
        closed: windows.closed.map((value) => round(value)),
        open: windows.open.map((value) => round(value)),
        closedMean: round(closed),
        openMean: round(open),
        httpListener: windows.listener.map((value) => round(value)),
        windows: sequence,
      },
      openVsClosed: {
        points: round(open - closed),
        relativePercent: round((100 * (open - closed)) / closed),
        pairedRelativePercent: paired,
        pairedMedianPercent: median(paired),
      },
      pinned: PIN,
      page: { runs: pageRuns, probeMedianMs: round(median(probes)), probeMaxMs: round(Math.max(...probes)), snapshotRequests: snapshotRequests.length },
      windowSeconds: WINDOW_MS / 1000,
    };
    writeFileSync(new URL('./results/inspector-latest.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
    for (const worker of workers) await worker.rpc('close');
  } finally {
    await browser?.close();
    for (const child of children.reverse()) await child.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
