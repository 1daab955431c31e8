// Statistics and number formatting for the bench tables.

/** Median of a non-empty list (mean of the middle two for even lengths). */
export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100) of a list or typed array. */
/** The middle (p50 by `percentile`) of one extra field across an `interleave` result's rounds, e.g. each round's p99. */
export function middleOfRounds(result, key) {
  return percentile(
    result.extras.map((extra) => extra[key]),
    50,
  );
}

export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** ours / baseline, formatted with 2 decimals ("n/a" when a side is missing). */
export function ratio(ours, baseline) {
  if (!Number.isFinite(ours) || !Number.isFinite(baseline) || baseline === 0) return "n/a";
  return (ours / baseline).toFixed(2);
}

/** Integer with thousands separators. */
export function fmtInt(n) {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a";
}

/** A number with `digits` decimals. */
export function fmtNum(n, digits = 2) {
  return Number.isFinite(n) ? n.toFixed(digits) : "n/a";
}

/** Bytes as MiB with one decimal. */
export function fmtMiB(bytes) {
  return Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : "n/a";
}

/** Milliseconds with a sensible precision (µs below 1 ms). */
export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return "n/a";
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(1)} ms`;
}
