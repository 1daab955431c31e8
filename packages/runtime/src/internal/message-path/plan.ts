import { type Envelope, HEADER_PAUSE, type StatusError, type StatusReason } from "@asya/envelope";
import { toStatusError } from "../../error-info.js";
import type { HandlerOutput } from "../../handler-types.js";
import type { MessageOutcome } from "../../observability/actor-metrics.js";
import type { Logger } from "../../observability/logger.js";
import { decideOnError } from "../error-decision.js";
import { failedEnvelope, type Outgoing, successEnvelopes, terminalEnvelope } from "../outgoing.js";
import type { PathDeps } from "./path-deps.js";

/** What a message turns into: the envelopes to publish and how to count the message. */
export interface Plan {
  readonly outs: readonly Outgoing[];
  readonly outcome: MessageOutcome;
  readonly reason?: string | undefined;
  /** A retry copy goes back to this actor's own queue after `delayMs` (route overrides do not apply). */
  readonly retry?: { readonly queue: string; readonly delayMs: number };
  /** What to send instead when an output cannot be encoded (BigInt, cycle): a handler error. */
  readonly onUnencodable?: (error: unknown) => Plan;
  /** What to send instead when an output is too large for the transport. */
  readonly onTooLarge?: (error: unknown) => Plan;
  /** Outputs held by a pause (`x-asya-pause`): reported `paused`, never published. */
  readonly paused?: readonly Envelope[];
}

/** The input ends failed at the sink with `reason` (route kept as it was, payload unchanged). */
export function planFailed(
  deps: PathDeps,
  envelope: Envelope,
  reason: StatusReason,
  error: StatusError,
  now: Date,
): Plan {
  return {
    outs: [failedEnvelope(deps.actor, deps.sinkActor, envelope, reason, error, now)],
    outcome: "failed",
    reason,
  };
}

/**
 * Pre-flight found the task canceled or paused at the gateway: the input ends at the sink with that
 * phase (`PreFlightCanceled` / `PreFlightPaused`), route and payload unchanged, handler not called.
 */
export function planPreflightStop(
  deps: PathDeps,
  envelope: Envelope,
  answer: "canceled" | "paused",
  now: Date,
): Plan {
  const reason: StatusReason = answer === "canceled" ? "PreFlightCanceled" : "PreFlightPaused";
  return {
    outs: [terminalEnvelope(deps.actor, deps.sinkActor, envelope, answer, reason, now)],
    outcome: "stopped",
    reason,
  };
}

/**
 * Stage 4a: the outputs of a successful call (SPEC sections 2-3): next hops, or the route's end at
 * the sink; an invalid `next` or an unencodable result is a handler error, an oversized output
 * fails the input.
 */
export function planSuccess(
  deps: PathDeps,
  working: Envelope,
  outputs: readonly HandlerOutput[],
  queue: string,
  now: Date,
  log: Logger,
): Plan {
  let outs: Outgoing[];
  try {
    outs = successEnvelopes(deps.actor, deps.sinkActor, working, outputs, now);
  } catch (error) {
    return planFailure(deps, working, error, queue, now, log);
  }
  // An output carrying x-asya-pause (set by x-pause) is not routed: the task waits for a human;
  // the path reports it `paused` (GATEWAY.md section 5) and acks the input.
  const paused = outs.filter((out) => out.envelope.headers?.[HEADER_PAUSE] !== undefined);
  if (paused.length > 0) outs = outs.filter((out) => !paused.includes(out));
  return {
    outs,
    ...(paused.length === 0 ? {} : { paused: paused.map((out) => out.envelope) }),
    outcome:
      paused.length > 0 && outs.length === 0
        ? "paused"
        : outs.every((out) => out.terminal)
          ? "succeeded"
          : "forwarded",
    onUnencodable: (error) => planFailure(deps, working, error, queue, now, log),
    onTooLarge: (error) => {
      log.warn("output too large for the transport; failing the envelope", { err: error });
      return planFailed(deps, working, "RuntimeError", toStatusError(error), now);
    },
  };
}

/** Stage 4b: after a failed call: retry copy, `onExhausted` route, or the end (SPEC section 4). */
export function planFailure(
  deps: PathDeps,
  working: Envelope,
  error: unknown,
  queue: string,
  now: Date,
  log: Logger,
): Plan {
  const decision = decideOnError(
    deps.actor,
    deps.sinkActor,
    deps.resiliency,
    working,
    error,
    now,
    deps.random,
  );
  const errorType = decision.out.envelope.status?.error?.type;
  switch (decision.kind) {
    case "retry":
      log.info("handler failed; retrying", {
        error_type: errorType,
        policy: decision.policy,
        delay_ms: decision.delayMs,
      });
      return {
        outs: [decision.out],
        outcome: "retried",
        reason: errorType,
        retry: { queue, delayMs: decision.delayMs },
      };
    case "routed":
      log.warn("retries exhausted; routing", { policy: decision.policy, to: decision.out.actor });
      return { outs: [decision.out], outcome: "routed", reason: "PolicyRouted" };
    case "exhausted":
      log.warn("retries exhausted", { policy: decision.policy, error_type: errorType });
      return { outs: [decision.out], outcome: "failed", reason: "PolicyExhausted" };
    default:
      log.warn("handler failed; no retry policy", { error_type: errorType });
      return { outs: [decision.out], outcome: "failed", reason: "RuntimeError" };
  }
}
