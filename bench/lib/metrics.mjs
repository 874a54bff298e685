// The figures each scenario reports, which way is better, and the targets of
// issue 6 as ratios iostate / socket.io (medians of the same run).

export const SCENARIO_TITLES = {
  connect: 'connect',
  memory: 'memory (idle sockets in rooms)',
  broadcast: 'broadcast (small JSON)',
  binary: 'binary broadcast',
  acks: 'acks',
};

/**
 * target: { max } means ratio ≤ max, { min } means ratio ≥ min; no target = reported only.
 * info: context for reading the other figures (how busy the server was), judged by nothing.
 */
export const METRICS = {
  connect: [
    { id: 'connectionsPerSec', label: 'connections/s', unit: '/s', better: 'higher', target: { min: 1.0 } },
    { id: 'cpuPerConnectionUs', label: 'server CPU per connection', unit: 'µs', better: 'lower', target: { max: 1.0 } },
  ],
  memory: [
    { id: 'heapPerSocketBytes', label: 'heap per socket', unit: 'KB', scale: 1 / 1024, better: 'lower', target: { max: 1.0 } },
    { id: 'rssPerSocketBytes', label: 'RSS per socket', unit: 'KB', scale: 1 / 1024, better: 'lower', target: { max: 1.0 } },
    { id: 'externalPerSocketBytes', label: 'external per socket', unit: 'KB', scale: 1 / 1024, better: 'lower' },
  ],
  broadcast: [
    { id: 'deliveriesPerSec', label: 'deliveries/s', unit: '/s', better: 'higher', target: { min: 1.1 } },
    { id: 'cpuPerDeliveryUs', label: 'server CPU per delivery', unit: 'µs', better: 'lower', target: { max: 0.85 } },
    { id: 'serverCpuShare', label: 'server CPU busy', unit: 'cores', better: 'lower', info: true },
  ],
  binary: [
    { id: 'deliveriesPerSec', label: 'deliveries/s', unit: '/s', better: 'higher' },
    { id: 'cpuPerDeliveryUs', label: 'server CPU per delivery', unit: 'µs', better: 'lower', target: { max: 0.85 } },
    { id: 'serverCpuShare', label: 'server CPU busy', unit: 'cores', better: 'lower', info: true },
  ],
  acks: [
    { id: 'acksPerSec', label: 'acks/s', unit: '/s', better: 'higher' },
    { id: 'p50LatencyMs', label: 'p50 latency', unit: 'ms', better: 'lower' },
    { id: 'p99LatencyMs', label: 'p99 latency', unit: 'ms', better: 'lower', target: { max: 1.0 } },
    { id: 'cpuPerAckUs', label: 'server CPU per ack', unit: 'µs', better: 'lower', target: { max: 0.85 } },
  ],
};

/** Event log on against off: every figure within 10%, in the worse direction. */
export const LOG_TOLERANCE = 0.1;

export function meetsTarget(ratio, target) {
  if (!target || ratio === null) return null;
  if (target.max !== undefined) return ratio <= target.max;
  return ratio >= target.min;
}

export function withinLogTolerance(ratio, better) {
  if (ratio === null) return null;
  return better === 'lower' ? ratio <= 1 + LOG_TOLERANCE : ratio >= 1 - LOG_TOLERANCE;
}

export function describeTarget(target) {
  if (!target) return '';
  return target.max !== undefined ? `≤ ${target.max.toFixed(2)}` : `≥ ${target.min.toFixed(2)}`;
}
