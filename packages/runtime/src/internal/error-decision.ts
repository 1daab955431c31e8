import { type Envelope, HEADER_FIRST_ATTEMPT } from "@asya/envelope";
import { computeBackoffMs } from "../backoff.js";
import type { ResiliencyConfig } from "../config/resiliency-config.js";
import { toStatusError } from "../error-info.js";
import { selectPolicy } from "../rule-matcher.js";
import { failedEnvelope, type Outgoing, policyRoutedEnvelope, retryEnvelope } from "./outgoing.js";

/** What to do after a handler failed (SPEC section 4). */
export type ErrorDecision =
  | { readonly kind: "retry"; readonly out: Outgoing; readonly delayMs: number; readonly policy: string }
  | { readonly kind: "routed"; readonly out: Outgoing; readonly policy: string }
  | { readonly kind: "exhausted"; readonly out: Outgoing; readonly policy: string }
  | { readonly kind: "unhandled"; readonly out: Outgoing };

/**
 * Picks the policy by rules, then retries (attempt < maxAttempts, within maxDuration, and the error
 * not marked `retryable: false`), routes to `onExhausted`, or fails (`PolicyExhausted`, or
 * `RuntimeError` when no policy applies).
 */
export function decideOnError(
  actor: string,
  sinkActor: string,
  resiliency: ResiliencyConfig,
  working: Envelope,
  error: unknown,
  now: Date,
  random?: () => number,
): ErrorDecision {
  const info = toStatusError(error);
  const policy = selectPolicy(resiliency, info);
  if (policy === undefined) {
    return { kind: "unhandled", out: failedEnvelope(actor, sinkActor, working, "RuntimeError", info, now) };
  }
  const attempt = working.status?.attempt ?? 1;
  const delayMs = computeBackoffMs(policy, attempt, random);
  const firstAttemptMs = Date.parse(String(working.headers?.[HEADER_FIRST_ATTEMPT] ?? ""));
  const elapsedMs = Number.isFinite(firstAttemptMs) ? now.getTime() - firstAttemptMs : 0;
  // A retry that could only start after the budget ran out is not made.
  const overBudget = policy.maxDurationMs !== undefined && elapsedMs + delayMs > policy.maxDurationMs;
  // An error that says it is not retryable (`retryable: false`: protocol errors, validation) is
  // never retried, whatever the policy allows; onExhausted routing still applies.
  const retryable = (error as { retryable?: unknown } | null)?.retryable !== false;
  if (retryable && attempt < policy.maxAttempts && !overBudget) {
    const envelope = retryEnvelope(actor, working, info, policy.maxAttempts, now);
    return { kind: "retry", out: { envelope, actor, terminal: false }, delayMs, policy: policy.name };
  }
  if (!retryable && policy.onExhausted === undefined) {
    // Not an exhausted policy: the error itself says trying again is pointless.
    return { kind: "unhandled", out: failedEnvelope(actor, sinkActor, working, "RuntimeError", info, now) };
  }
  if (policy.onExhausted !== undefined) {
    const out = policyRoutedEnvelope(working, policy.onExhausted, info, sinkActor, now);
    return { kind: "routed", out, policy: policy.name };
  }
  const out = failedEnvelope(actor, sinkActor, working, "PolicyExhausted", info, now);
  return { kind: "exhausted", out, policy: policy.name };
}
