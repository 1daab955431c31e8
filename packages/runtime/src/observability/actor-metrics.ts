import type { Meter } from "@opentelemetry/api";
import { metrics as otelMetrics } from "@opentelemetry/api";
import type { CounterSeries, HistogramSeries, Labels, MetricsRegistry } from "./metrics-registry.js";

/** Outcomes recorded per processed message. */
export type MessageOutcome =
  | "succeeded"
  | "forwarded"
  | "retried"
  | "failed"
  | "routed"
  | "deferred"
  | "redelivered"
  /** Not called: pre-flight found the task canceled or paused at the gateway. */
  | "stopped"
  /** Not called: the de-duplication guard found this envelope already processed here. */
  | "deduplicated"
  /** Its output carried `x-asya-pause`: held for a human, reported `paused`, not routed. */
  | "paused";

/** The metrics one actor records, to the OTel meter and to the `/metrics` registry at once. */
export interface ActorMetrics {
  received(): void;
  outcome(outcome: MessageOutcome, reason?: string): void;
  handlerDuration(ms: number, outcome: string): void;
  endToEndAge(ms: number): void;
  inFlight(delta: number): void;
  /** A best-effort gateway report was dropped (queue full while the gateway is slow or down). */
  gatewayReportDropped(): void;
}

/**
 * Builds the {@link ActorMetrics} of `actor`. Label sets and registry series are bound once per
 * actor (and per outcome/reason as they occur): recording costs no label work per message.
 */
export function createActorMetrics(actor: string, registry: MetricsRegistry, meter?: Meter): ActorMetrics {
  const m = meter ?? otelMetrics.getMeter("@asya/runtime");
  const received = m.createCounter("asya.messages.received", { description: "Messages received" });
  const outcomes = m.createCounter("asya.messages.processed", { description: "Messages by outcome" });
  const duration = m.createHistogram("asya.handler.duration", { unit: "ms", description: "Handler time" });
  const age = m.createHistogram("asya.envelope.age", { unit: "ms", description: "End-to-end age" });
  const inflight = m.createUpDownCounter("asya.messages.in_flight", {
    description: "Handler calls in flight",
  });
  const dropped = m.createCounter("asya.gateway.reports_dropped", {
    description: "Best-effort gateway reports dropped (queue full)",
  });
  const actorLabels = Object.freeze({ actor });
  const droppedSeries = registry.counter(
    "asya_gateway_reports_dropped_total",
    "Best-effort gateway reports dropped because the gateway was slow or down",
    actorLabels,
  );
  const receivedSeries = registry.counter("asya_messages_received_total", "Messages received", actorLabels);
  const ageSeries = registry.histogram(
    "asya_envelope_age_seconds",
    "Envelope age since created_at",
    actorLabels,
  );
  const inFlightSeries = registry.gauge("asya_messages_in_flight", "Handler calls in flight", actorLabels);
  const byOutcome = new Map<string, { readonly labels: Labels; readonly series: CounterSeries }>();
  const byDuration = new Map<string, { readonly labels: Labels; readonly series: HistogramSeries }>();
  let current = 0;
  return {
    received() {
      received.add(1, actorLabels);
      receivedSeries.inc();
    },
    outcome(outcome, reason) {
      const key = reason === undefined ? outcome : `${outcome}\u0000${reason}`;
      let bound = byOutcome.get(key);
      if (bound === undefined) {
        const labels = Object.freeze({ actor, outcome, ...(reason === undefined ? {} : { reason }) });
        const series = registry.counter(
          "asya_messages_total",
          "Messages processed by outcome and reason",
          labels,
        );
        bound = { labels, series };
        byOutcome.set(key, bound);
      }
      outcomes.add(1, bound.labels);
      bound.series.inc();
    },
    handlerDuration(ms, outcome) {
      let bound = byDuration.get(outcome);
      if (bound === undefined) {
        const labels = Object.freeze({ actor, outcome });
        bound = {
          labels,
          series: registry.histogram("asya_handler_duration_seconds", "Handler call duration", labels),
        };
        byDuration.set(outcome, bound);
      }
      duration.record(ms, bound.labels);
      bound.series.observe(ms / 1000);
    },
    endToEndAge(ms) {
      age.record(ms, actorLabels);
      ageSeries.observe(ms / 1000);
    },
    inFlight(delta) {
      current += delta;
      inflight.add(delta, actorLabels);
      inFlightSeries.set(current);
    },
    gatewayReportDropped() {
      dropped.add(1, actorLabels);
      droppedSeries.inc();
    },
  };
}
