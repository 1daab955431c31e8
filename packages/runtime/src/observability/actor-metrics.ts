import type { Meter } from "@opentelemetry/api";
import { metrics as otelMetrics } from "@opentelemetry/api";
import type { MetricsRegistry } from "./metrics-registry.js";

/** Outcomes recorded per processed message. */
export type MessageOutcome =
  | "succeeded"
  | "forwarded"
  | "retried"
  | "failed"
  | "routed"
  | "deferred"
  | "redelivered";

/** The metrics one actor records, to the OTel meter and to the `/metrics` registry at once. */
export interface ActorMetrics {
  received(): void;
  outcome(outcome: MessageOutcome, reason?: string): void;
  handlerDuration(ms: number, outcome: string): void;
  endToEndAge(ms: number): void;
  inFlight(delta: number): void;
}

/** Builds the {@link ActorMetrics} of `actor`. */
export function createActorMetrics(actor: string, registry: MetricsRegistry, meter?: Meter): ActorMetrics {
  const m = meter ?? otelMetrics.getMeter("@asya/runtime");
  const received = m.createCounter("asya.messages.received", { description: "Messages received" });
  const outcomes = m.createCounter("asya.messages.processed", { description: "Messages by outcome" });
  const duration = m.createHistogram("asya.handler.duration", { unit: "ms", description: "Handler time" });
  const age = m.createHistogram("asya.envelope.age", { unit: "ms", description: "End-to-end age" });
  const inflight = m.createUpDownCounter("asya.messages.in_flight", {
    description: "Handler calls in flight",
  });
  let current = 0;
  return {
    received() {
      received.add(1, { actor });
      registry.inc("asya_messages_received_total", "Messages received", { actor });
    },
    outcome(outcome, reason) {
      const labels = { actor, outcome, ...(reason === undefined ? {} : { reason }) };
      outcomes.add(1, labels);
      registry.inc("asya_messages_total", "Messages processed by outcome and reason", labels);
    },
    handlerDuration(ms, outcome) {
      duration.record(ms, { actor, outcome });
      registry.observe(
        "asya_handler_duration_seconds",
        "Handler call duration",
        { actor, outcome },
        ms / 1000,
      );
    },
    endToEndAge(ms) {
      age.record(ms, { actor });
      registry.observe("asya_envelope_age_seconds", "Envelope age since created_at", { actor }, ms / 1000);
    },
    inFlight(delta) {
      current += delta;
      inflight.add(delta, { actor });
      registry.set("asya_messages_in_flight", "Handler calls in flight", { actor }, current);
    },
  };
}
