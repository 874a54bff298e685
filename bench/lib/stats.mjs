// Order statistics for rounds and latency samples.

/** The q-quantile (0..1) of the numbers, nearest-rank; NaN for none. */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/** Median, minimum and maximum of one metric over the rounds, with the raw samples. */
export function summarize(samples) {
  const finite = samples.filter(Number.isFinite);
  if (finite.length === 0) return { median: null, min: null, max: null, samples };
  return {
    median: medianOf(finite),
    min: Math.min(...finite),
    max: Math.max(...finite),
    samples,
  };
}

function medianOf(values) {
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
