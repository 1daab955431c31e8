// Resident-set-size sampling: the process peak plus a per-variant peak while that variant ran.

let current;
const peaks = new Map();
let timer;

function sample() {
  if (current === undefined) return;
  const rss = process.memoryUsage.rss();
  if (rss > (peaks.get(current) ?? 0)) peaks.set(current, rss);
}

/** Starts sampling RSS every `intervalMs` (idempotent; the timer does not keep the process alive). */
export function startRssSampler(intervalMs = 20) {
  if (timer !== undefined) return;
  timer = setInterval(sample, intervalMs);
  timer.unref();
}

/** Attributes samples to `label` until the returned function is called. */
export function trackRss(label) {
  startRssSampler();
  const previous = current;
  current = label;
  sample();
  return () => {
    sample();
    current = previous;
  };
}

/** Highest RSS (bytes) sampled while `label` was being tracked. */
export function peakRssOf(label) {
  return peaks.get(label) ?? Number.NaN;
}

/** Peak RSS of the whole process so far (bytes), from the kernel's maxRSS. */
export function processPeakRss() {
  return process.resourceUsage().maxRSS * 1024;
}
