import {
  type Envelope,
  EnvelopeError,
  HEADER_FIRST_ATTEMPT,
  parseRfc3339,
  type StatusError,
  type StatusReason,
  stampStatus,
} from "@asya/envelope";
import { toStatusError } from "../../error-info.js";
import type { Logger } from "../../observability/logger.js";
import { routeOverrides } from "../route-override.js";

/** SLA: with less than this left before `deadline_at`, the handler is not called. */
export const MIN_SLA_REMAINING_MS = 1_000;

/** Whether the handler may run for this envelope, and for how long. */
export type Admitted =
  | { readonly kind: "run"; readonly working: Envelope; readonly limitMs: number }
  | { readonly kind: "reject"; readonly reason: StatusReason; readonly error: StatusError };

/**
 * Stage 2: admit the envelope: its route must name this actor (or a route override must map it
 * here), its SLA must leave at least a second; then stamp the receipt (SPEC sections 1, 2, 4).
 */
export function admit(
  envelope: Envelope,
  actor: string,
  actorTimeoutMs: number,
  now: Date,
  log: Logger,
): Admitted {
  const curr = envelope.route.curr;
  if (curr !== actor && routeOverrides(envelope.headers)[curr] !== actor) {
    log.warn("route mismatch", { curr });
    const error = new EnvelopeError(`route.curr is ${JSON.stringify(curr)}, this actor is ${actor}`, {
      code: "INVALID_ENVELOPE",
      path: ["route", "curr"],
    });
    return {
      kind: "reject",
      reason: "RouteMismatch",
      error: { ...toStatusError(error), type: "RouteMismatch" },
    };
  }
  const deadline = envelope.status?.deadline_at;
  let slaMs = Number.POSITIVE_INFINITY;
  if (deadline !== undefined) {
    const deadlineMs = parseRfc3339(deadline);
    if (deadlineMs === undefined) {
      // Read liberally (SPEC 1): a deadline we cannot read is no deadline, never a guessed one.
      log.warn("status.deadline_at is not an RFC 3339 instant; no SLA applies", {
        deadline_at: String(deadline).slice(0, 64),
      });
    } else {
      slaMs = deadlineMs - now.getTime();
    }
  }
  if (slaMs < MIN_SLA_REMAINING_MS) {
    log.warn("SLA deadline passed; handler not called");
    return {
      kind: "reject",
      reason: "Timeout",
      error: { type: "TimeoutError", mro: [], message: "[asya:runtime] SLA deadline_at passed" },
    };
  }
  return { kind: "run", working: receive(envelope, actor, now), limitMs: Math.min(actorTimeoutMs, slaMs) };
}

/**
 * Stamps `processing` on receipt: attempt reset when the actor changed (Go's zero value `attempt: 0`
 * reads as unknown, i.e. 1), first attempt stamped once, and the previous hop's `reason` and `error`
 * cleared (they describe the past hop). `max_attempts: 0` (Go's "unknown") is dropped.
 */
function receive(envelope: Envelope, actor: string, now: Date): Envelope {
  const sameActor = envelope.status?.actor === actor;
  const received = envelope.status?.attempt ?? 0;
  const attempt = sameActor && received > 0 ? received : 1;
  const isRetry = sameActor && envelope.status?.phase === "retrying";
  const unknownMax = envelope.status?.max_attempts === 0 ? { max_attempts: undefined } : {};
  const stamped = stampStatus(
    envelope,
    { phase: "processing", actor, attempt, reason: undefined, error: undefined, ...unknownMax },
    now,
  );
  if (isRetry && typeof envelope.headers?.[HEADER_FIRST_ATTEMPT] === "string") return stamped;
  // The first attempt here: the same instant as the receipt stamp.
  stamped.headers = { ...envelope.headers, [HEADER_FIRST_ATTEMPT]: stamped.status?.updated_at };
  return stamped;
}
