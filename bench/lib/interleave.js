// Interleaved A/B(/C...) runner: every round runs each variant once, in a rotated order, so slow
// drift and neighbours' noise on the shared machine hit all variants alike. Reports medians.

import { trackRss } from "./rss.js";
import { median } from "./stats.js";

/** How many measured rounds `interleave` runs for `rounds`: at least 5 unless `allowFewer`. */
export function effectiveRounds(rounds, allowFewer = false) {
  return allowFewer ? rounds : Math.max(5, rounds);
}

/**
 * Runs `rounds` interleaved rounds (>= 5 enforced unless `allowFewer`). Each variant is an async
 * function returning a number (the metric, e.g. msgs/s) or an object `{ value, ...extra }`.
 * Order rotates each round (A B C, B C A, ...). Returns { [name]: { values, median, extras } }.
 * `warmup` rounds run first and are discarded.
 */
export async function interleave(
  variants,
  { rounds = 5, warmup = 1, allowFewer = false, label = "", onRound } = {},
) {
  const names = Object.keys(variants);
  const roundsToRun = effectiveRounds(rounds, allowFewer);
  const results = Object.fromEntries(names.map((name) => [name, { values: [], extras: [] }]));
  for (let w = 0; w < warmup; w++) {
    for (const name of names) await variants[name]({ warmup: true, round: -1 });
  }
  for (let round = 0; round < roundsToRun; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) {
      if (typeof globalThis.gc === "function") globalThis.gc();
      const stop = trackRss(`${label}${name}`);
      let outcome;
      try {
        outcome = await variants[name]({ warmup: false, round });
      } finally {
        stop();
      }
      const value = typeof outcome === "number" ? outcome : outcome.value;
      results[name].values.push(value);
      results[name].extras.push(typeof outcome === "number" ? {} : outcome);
    }
    onRound?.(round, results);
  }
  for (const name of names) results[name].median = median(results[name].values);
  return results;
}

/** Resolves when `condition()` is true; rejects after `timeoutMs`. Polls every `everyMs`. */
export async function waitUntil(condition, { timeoutMs = 120_000, everyMs = 2, what = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
