import { ClaimCheckError } from "@asya/claim-check";
import { encodeEnvelope, queueName } from "@asya/envelope";
import { isTransportError, TransportError } from "@asya/transport";
import type { Context } from "@opentelemetry/api";
import { publishDelayed } from "../delayed-publish.js";
import { type Outgoing, traceHeaders, withRouteOverride, withTraceHeaders } from "../outgoing.js";
import type { PathDeps } from "./path-deps.js";
import type { Plan } from "./plan.js";

/** How publishing a plan went. */
export type Sent =
  | { readonly kind: "sent" }
  /** An output could not be encoded (nothing was published). */
  | { readonly kind: "unencodable"; readonly error: unknown }
  /** An output exceeds the transport's limit (nothing was published, or the broker refused it). */
  | { readonly kind: "tooLarge"; readonly error: unknown }
  /** The broker did not take an output: the input must not be acked. */
  | { readonly kind: "failed"; readonly error: unknown };

/** Publishes plans for one actor. */
export type Publisher = (plan: Plan, traceContext: Context | undefined) => Promise<Sent>;

/**
 * Stage 5, the one place that publishes: applies route overrides (not to retry copies) and the
 * handler span's trace context, encodes (claim-checking payloads over the threshold), checks every
 * output's size before publishing any (a fan-out goes out whole or not at all), then publishes in
 * order (long delays emulated).
 */
export function createPublisher(deps: PathDeps): Publisher {
  const queues = new Map<string, string>();
  const queueOf = (actor: string): string => {
    let queue = queues.get(actor);
    if (queue === undefined) {
      queue = queueName(actor, deps.namespace);
      queues.set(actor, queue);
    }
    return queue;
  };
  const delay = { clock: deps.clock, timer: deps.timer, signal: deps.shutdownSignal };
  return async (plan, traceContext) => {
    const limitBytes = deps.transport.capabilities.maxMessageBytes;
    const { claimCheck } = deps;
    // One span per call: its trace headers are the same for every output.
    const trace = traceContext === undefined ? undefined : traceHeaders(traceContext);
    const ready: Array<{ readonly queue: string; readonly body: Uint8Array }> = [];
    for (const planned of plan.outs) {
      let out: Outgoing = plan.retry === undefined ? withRouteOverride(planned, deps.actor) : planned;
      out = withTraceHeaders(out, trace);
      let body: Uint8Array;
      try {
        // Claim-check (GATEWAY.md section 7): over the threshold the payload goes to the store
        // first; an orphaned object (the publish below failing, a crash) is harmless, its key is
        // its content. A store that refuses or does not answer leaves the input for redelivery.
        body =
          claimCheck === undefined
            ? encodeEnvelope(out.envelope)
            : await claimCheck.encodeForWire(out.envelope, [limitBytes, deps.maxMessageBytes]);
      } catch (error) {
        return error instanceof ClaimCheckError ? { kind: "failed", error } : { kind: "unencodable", error };
      }
      if (limitBytes > 0 && body.byteLength > limitBytes) {
        const error = new TransportError(
          `output of ${body.byteLength} bytes exceeds the transport's limit of ${limitBytes} bytes`,
          { code: "TOO_LARGE", retryable: false, transport: "runtime" },
        );
        return { kind: "tooLarge", error };
      }
      const queue = plan.retry?.queue ?? queueOf(out.terminal ? deps.sinkActor : (out.target ?? out.actor));
      ready.push({ queue, body });
    }
    try {
      for (const { queue, body } of ready) {
        await publishDelayed(deps.transport, queue, body, {}, plan.retry?.delayMs ?? 0, delay);
      }
    } catch (error) {
      if (isTransportError(error) && error.code === "TOO_LARGE") return { kind: "tooLarge", error };
      return { kind: "failed", error };
    }
    return { kind: "sent" };
  };
}
