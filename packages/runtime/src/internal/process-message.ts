import {
  createEnvelope,
  type Envelope,
  EnvelopeError,
  encodeEnvelope,
  HEADER_FIRST_ATTEMPT,
  parseEnvelope,
  parseRfc3339,
  queueName,
  type StatusError,
  stampStatus,
} from "@asya/envelope";
import type { Disposition, ReceivedMessage, Transport } from "@asya/transport";
import { isTransportError, TransportError } from "@asya/transport";
import type { Context, Tracer } from "@opentelemetry/api";
import type { ResiliencyConfig } from "../config/resiliency-config.js";
import { toStatusError } from "../error-info.js";
import { ShutdownError } from "../errors.js";
import type { Handler, HandlerOutput } from "../handler-types.js";
import type { ActorMetrics, MessageOutcome } from "../observability/actor-metrics.js";
import type { Logger } from "../observability/logger.js";
import { endSpan, startHandlerSpan, traceIdOf } from "../observability/tracing.js";
import { publishDelayed, remainingDelayMs } from "./delayed-publish.js";
import { decideOnError } from "./error-decision.js";
import { failedEnvelope, type Outgoing, successEnvelopes, withRouteOverride, withTrace } from "./outgoing.js";
import { reportProgress } from "./progress.js";
import { rawBodyPayload, salvageId } from "./raw-body.js";
import { routeOverrides } from "./route-override.js";
import { runWithLimits } from "./run-with-limits.js";

/** SLA: with less than this left before `deadline_at`, the handler is not called. */
export const MIN_SLA_REMAINING_MS = 1_000;

/** Everything one actor's message processing needs. */
export interface ProcessorDeps<TPayload> {
  readonly actor: string;
  readonly namespace: string | undefined;
  readonly transport: Transport;
  readonly handler: Handler<TPayload>;
  readonly resiliency: ResiliencyConfig;
  readonly sinkActor: string;
  readonly maxMessageBytes: number;
  readonly logger: Logger;
  readonly tracer: Tracer;
  readonly metrics: ActorMetrics;
  readonly shutdownSignal: AbortSignal;
  readonly random?: () => number;
  readonly now?: () => number;
}

/** Processes one delivery; returns how to settle it. Never throws. */
export type MessageProcessor = (message: ReceivedMessage) => Promise<Disposition>;

const ACK: Disposition = { kind: "ack" };

/** Redelivery delay after a failed publish: 100 ms doubling per delivery, capped at 30 s. */
export function redeliveryDelayMs(deliveryCount: number | undefined): number {
  return Math.min(30_000, 100 * 2 ** Math.min(20, Math.max(0, (deliveryCount ?? 1) - 1)));
}

/** Builds the message processor of a routing actor (SPEC sections 2-4). */
export function createMessageProcessor<TPayload>(deps: ProcessorDeps<TPayload>): MessageProcessor {
  const { actor, transport, logger, metrics } = deps;
  const nowMs = deps.now ?? Date.now;
  const sinkQueue = queueName(deps.sinkActor, deps.namespace);

  const publish = async (out: Outgoing, delayMs = 0, queue?: string): Promise<void> => {
    const target = queue ?? (out.terminal ? sinkQueue : queueName(out.target ?? out.actor, deps.namespace));
    await publishDelayed(transport, target, out.body ?? encodeEnvelope(out.envelope), {}, delayMs, nowMs());
  };

  /** Publishes, mapping failures to a disposition: never ack what was not durably published. */
  const settle = async (
    outs: readonly Outgoing[],
    outcome: MessageOutcome,
    reason?: string,
    delayMs = 0,
    queue?: string,
    tooLarge?: (error: unknown) => Outgoing,
  ): Promise<Disposition> => {
    try {
      for (const out of outs) await publish(out, delayMs, queue);
    } catch (error) {
      if (isTransportError(error) && error.code === "TOO_LARGE") {
        // An output the broker can never take: end the input failed at the sink instead; only
        // when even that is refused does the broker's dead-letter queue get it.
        if (tooLarge !== undefined) {
          logger.warn("output too large for the transport; failing the envelope", { err: error });
          return settle([tooLarge(error)], "failed", "RuntimeError");
        }
        logger.error("publish refused as too large; dead-lettering", { err: error });
        metrics.outcome("redelivered", "PublishTooLarge");
        return { kind: "deadLetter", reason: `publish rejected: ${error.message}` };
      }
      logger.error("publish failed; leaving the message for redelivery", { err: error });
      metrics.outcome("redelivered", "PublishFailed");
      return { kind: "retry" };
    }
    metrics.outcome(outcome, reason);
    return ACK;
  };

  const rejectUnparseable = async (message: ReceivedMessage, error: unknown): Promise<Disposition> => {
    const id = salvageId(message.body) ?? `unparseable-${message.id}`;
    const envelope = createEnvelope({
      id,
      route: { prev: [], curr: actor, next: [] },
      payload: { ...rawBodyPayload(message.body), queue: message.queue, message_id: message.id },
    });
    // Not the error itself: JSON parse messages quote the body, and logs never carry payloads.
    logger.warn("unparseable message sent to sink", {
      envelope_id: id,
      error_code: (error as { code?: unknown }).code,
    });
    const out = failedEnvelope(
      actor,
      deps.sinkActor,
      envelope,
      "ParseError",
      toStatusError(error),
      new Date(nowMs()),
    );
    return settle([out], "failed", "ParseError");
  };

  const handleError = async (
    message: ReceivedMessage,
    working: Envelope,
    error: unknown,
    log: Logger,
    traceCtx: Context,
  ): Promise<Disposition> => {
    const decided = decideOnError(
      actor,
      deps.sinkActor,
      deps.resiliency,
      working,
      error,
      new Date(nowMs()),
      deps.random,
    );
    // Every output of a handler call carries that call's span context (SPEC section 6); a routed
    // one (onExhausted) honours route overrides like any output. A retry goes back to this queue.
    const traced = withTrace(decided.out, traceCtx);
    const decision = {
      ...decided,
      out: decided.kind === "retry" ? traced : withRouteOverride(traced, actor),
    };
    const errorType = decision.out.envelope.status?.error?.type;
    switch (decision.kind) {
      case "retry":
        log.info("handler failed; retrying", {
          error_type: errorType,
          policy: decision.policy,
          delay_ms: decision.delayMs,
        });
        return settle([decision.out], "retried", errorType, decision.delayMs, message.queue);
      case "routed":
        log.warn("retries exhausted; routing", { policy: decision.policy, to: decision.out.actor });
        return settle([decision.out], "routed", "PolicyRouted");
      case "exhausted":
        log.warn("retries exhausted", { policy: decision.policy, error_type: errorType });
        return settle([decision.out], "failed", "PolicyExhausted");
      default:
        log.warn("handler failed; no retry policy", { error_type: errorType });
        return settle([decision.out], "failed", "RuntimeError");
    }
  };

  const runHandler = (working: Envelope, limitMs: number, log: Logger): Promise<HandlerOutput[]> =>
    runWithLimits(deps.handler, actor, working, limitMs, deps.shutdownSignal, (partial) => {
      log.debug("fly");
      reportProgress(working, actor, "partial", partial, log);
    });

  const processOne: MessageProcessor = async (message) => {
    try {
      metrics.received();
      const remaining = remainingDelayMs(message.attributes, nowMs());
      if (remaining > 0) {
        // Emulated long delay: re-delay the exact bytes without calling the handler.
        await publishDelayed(transport, message.queue, message.body, message.attributes, remaining, nowMs());
        metrics.outcome("deferred");
        return ACK;
      }
      let envelope: Envelope;
      try {
        envelope = parseEnvelope(message.body, { maxBytes: deps.maxMessageBytes });
      } catch (error) {
        return await rejectUnparseable(message, error);
      }
      const log = logger.child({ envelope_id: envelope.id, trace_id: traceIdOf(envelope.headers) });
      const now = new Date(nowMs());
      const curr = envelope.route.curr;
      if (curr !== actor && routeOverrides(envelope.headers)[curr] !== actor) {
        log.warn("route mismatch", { curr });
        const error = new EnvelopeError(`route.curr is ${JSON.stringify(curr)}, this actor is ${actor}`, {
          code: "INVALID_ENVELOPE",
          path: ["route", "curr"],
        });
        const info: StatusError = { ...toStatusError(error), type: "RouteMismatch" };
        return await settle(
          [failedEnvelope(actor, deps.sinkActor, envelope, "RouteMismatch", info, now)],
          "failed",
          "RouteMismatch",
        );
      }
      const deadlineMs = parseRfc3339(envelope.status?.deadline_at);
      if (deadlineMs === undefined && envelope.status?.deadline_at !== undefined) {
        // Read liberally (SPEC 1): a deadline we cannot read is no deadline, never a guessed one.
        log.warn("status.deadline_at is not an RFC 3339 instant; no SLA applies", {
          deadline_at: String(envelope.status.deadline_at).slice(0, 64),
        });
      }
      const slaMs = deadlineMs === undefined ? Number.POSITIVE_INFINITY : deadlineMs - now.getTime();
      if (slaMs < MIN_SLA_REMAINING_MS) {
        log.warn("SLA deadline passed; handler not called");
        const info: StatusError = {
          type: "TimeoutError",
          mro: [],
          message: "[asya:runtime] SLA deadline_at passed",
        };
        return await settle(
          [failedEnvelope(actor, deps.sinkActor, envelope, "Timeout", info, now)],
          "failed",
          "Timeout",
        );
      }
      const working = receive(envelope, actor, now);
      const createdMs = parseRfc3339(working.status?.created_at);
      if (createdMs !== undefined) metrics.endToEndAge(now.getTime() - createdMs);
      const attempt = working.status?.attempt ?? 1;
      const { span, ctx } = startHandlerSpan(deps.tracer, actor, envelope.headers, {
        "asya.envelope.id": envelope.id,
        "asya.attempt": attempt,
      });
      const startedMs = nowMs();
      metrics.inFlight(1);
      log.debug("processing", { attempt });
      reportProgress(working, actor, "received", undefined, log);
      reportProgress(working, actor, "processing", undefined, log);
      let outputs: HandlerOutput[];
      try {
        outputs = await runHandler(working, Math.min(deps.resiliency.actorTimeoutMs, slaMs), log);
      } catch (error) {
        metrics.inFlight(-1);
        metrics.handlerDuration(nowMs() - startedMs, "error");
        endSpan(span, error instanceof ShutdownError ? "shutdown" : "error", error);
        if (error instanceof ShutdownError) {
          log.info("aborted by shutdown; leaving the message for redelivery");
          metrics.outcome("redelivered", "Shutdown");
          return { kind: "retry" };
        }
        return await handleError(message, working, error, log, ctx);
      }
      metrics.inFlight(-1);
      metrics.handlerDuration(nowMs() - startedMs, "ok");
      endSpan(span, outputs.length === 0 ? "end" : "ok");
      let outs: Outgoing[];
      try {
        outs = successEnvelopes(actor, deps.sinkActor, working, outputs, new Date(nowMs())).map((out) => {
          const traced = withRouteOverride(withTrace(out, ctx), actor);
          // Encoded here so an unserializable result (BigInt, cycle) is a handler error, not a
          // publish failure redelivered forever.
          return { ...traced, body: encodeEnvelope(traced.envelope) };
        });
      } catch (error) {
        // Bad `next` (invalid actor name), unserializable result or similar: a handler error.
        return await handleError(message, working, error, log, ctx);
      }
      const tooLarge = (error: unknown): Outgoing =>
        withTrace(
          failedEnvelope(
            actor,
            deps.sinkActor,
            working,
            "RuntimeError",
            toStatusError(error),
            new Date(nowMs()),
          ),
          ctx,
        );
      // Checked before anything is published, so a fan-out is all or nothing.
      const limitBytes = transport.capabilities.maxMessageBytes;
      const oversized = outs.find((out) => limitBytes > 0 && (out.body?.byteLength ?? 0) > limitBytes);
      if (oversized !== undefined) {
        const error = new TransportError(
          `output of ${oversized.body?.byteLength} bytes exceeds the transport's limit of ${limitBytes} bytes`,
          { code: "TOO_LARGE", retryable: false, transport: "runtime" },
        );
        log.warn("output too large for the transport; failing the envelope", { err: error });
        return await settle([tooLarge(error)], "failed", "RuntimeError");
      }
      reportProgress(working, actor, "completed", undefined, log);
      const terminal = outs.every((out) => out.terminal);
      const disposition = await settle(
        outs,
        terminal ? "succeeded" : "forwarded",
        undefined,
        0,
        undefined,
        tooLarge,
      );
      if (disposition.kind === "ack") log.debug("done", { outputs: outs.length });
      return disposition;
    } catch (error) {
      logger.error("unexpected processing error; leaving the message for redelivery", { err: error });
      return { kind: "retry" };
    }
  };

  return async (message) => {
    const disposition = await processOne(message);
    // Back off redeliveries after publish failures so a broken downstream is not hammered;
    // on shutdown, hand the message back at once so another replica can take it.
    if (disposition.kind !== "retry" || disposition.delayMs !== undefined || deps.shutdownSignal.aborted) {
      return disposition;
    }
    return { kind: "retry", delayMs: redeliveryDelayMs(message.deliveryCount) };
  };
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
  const headers: Record<string, unknown> = { ...envelope.headers };
  const isRetry = sameActor && envelope.status?.phase === "retrying";
  if (!isRetry || typeof headers[HEADER_FIRST_ATTEMPT] !== "string")
    headers[HEADER_FIRST_ATTEMPT] = now.toISOString();
  const unknownMax = envelope.status?.max_attempts === 0 ? { max_attempts: undefined } : {};
  return stampStatus(
    { ...envelope, headers },
    { phase: "processing", actor, attempt, reason: undefined, error: undefined, ...unknownMax },
    now,
  );
}
