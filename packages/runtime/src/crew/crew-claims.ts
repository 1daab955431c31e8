import { type ClaimCheck, resolveClaim } from "@asya/claim-check";
import { type Envelope, stampStatus } from "@asya/envelope";
import type { Disposition, Transport } from "@asya/transport";
import { toStatusError } from "../error-info.js";
import type { ActorMetrics } from "../observability/actor-metrics.js";
import type { Logger } from "../observability/logger.js";
import { failToSink } from "./crew-state.js";

/** Deliveries of one message a retryable claim failure gets before the crew actor gives up on it. */
export const CREW_CLAIM_DELIVERIES = 5;

export interface CrewClaimContext {
  readonly name: string;
  readonly transport: Transport;
  readonly namespace: string | undefined;
  readonly claimCheck: ClaimCheck | undefined;
  readonly keepUnresolvedClaims: boolean;
  readonly logger: Logger;
  readonly metrics: ActorMetrics;
}

/**
 * A crew actor's claim resolution: the envelope to consume, or how to settle the delivery. A failed
 * envelope (x-sink, x-sump) whose claim cannot be resolved is kept as it came (its status says why
 * it failed, and a replay needs the claim); otherwise a retryable failure is redelivered up to
 * {@link CREW_CLAIM_DELIVERIES} times, then the envelope is kept stamped failed (x-sink, x-sump) or
 * ends failed at x-sink (the other crew actors), never dropped.
 */
export async function resolveCrewClaim(
  envelope: Envelope,
  deliveryCount: number | undefined,
  context: CrewClaimContext,
): Promise<{ readonly envelope: Envelope } | { readonly settle: Disposition }> {
  const { logger: log, metrics, name } = context;
  try {
    return { envelope: await resolveClaim(envelope, context.claimCheck) };
  } catch (error) {
    if (context.keepUnresolvedClaims && envelope.status?.phase === "failed") {
      log.warn("failed envelope kept with its unresolved claim", { err: error });
      return { envelope };
    }
    const retryable = (error as { retryable?: unknown }).retryable !== false;
    if (retryable && (deliveryCount ?? 1) < CREW_CLAIM_DELIVERIES) {
      log.warn("claim-checked payload not resolved; leaving the message for redelivery", { err: error });
      metrics.outcome("redelivered", "ClaimCheckError");
      return { settle: { kind: "retry", delayMs: 1_000 } };
    }
    log.error("claim-checked payload not resolved; giving up on it", { err: error });
    const info = toStatusError(error);
    if (context.keepUnresolvedClaims) {
      return {
        envelope: stampStatus(envelope, {
          phase: "failed",
          reason: "RuntimeError",
          actor: name,
          error: info,
        }),
      };
    }
    try {
      await failToSink(context.transport, context.namespace, envelope, name, info);
    } catch (publishError) {
      log.error("could not fail the envelope to x-sink; leaving it for redelivery", { err: publishError });
      return { settle: { kind: "retry", delayMs: 1_000 } };
    }
    metrics.outcome("failed", "ClaimCheckError");
    return { settle: { kind: "ack" } };
  }
}
