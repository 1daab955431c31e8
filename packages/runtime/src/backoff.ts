import type { RetryPolicy } from "./config/resiliency-config.js";

/**
 * Delay before the retry that follows failed attempt `attempt` (1-based), per SPEC section 4:
 * exponential = initialDelay x 2^(attempt-1), constant = initialDelay, linear = attempt x initialDelay;
 * jitter multiplies by a uniform factor in [0.5, 1.5); `maxInterval` caps the result.
 *
 * @example computeBackoffMs({ ...policy, backoff: "linear", initialDelayMs: 100 }, 3) // 300
 */
export function computeBackoffMs(
  policy: Pick<RetryPolicy, "backoff" | "initialDelayMs" | "maxIntervalMs" | "jitter">,
  attempt: number,
  random: () => number = Math.random,
): number {
  const n = Math.max(1, attempt);
  let delayMs: number;
  switch (policy.backoff) {
    case "constant":
      delayMs = policy.initialDelayMs;
      break;
    case "linear":
      delayMs = n * policy.initialDelayMs;
      break;
    default:
      delayMs = policy.initialDelayMs * 2 ** (n - 1);
  }
  if (policy.jitter) delayMs *= 0.5 + random();
  if (policy.maxIntervalMs !== undefined) delayMs = Math.min(delayMs, policy.maxIntervalMs);
  return Math.max(0, Math.round(delayMs));
}
