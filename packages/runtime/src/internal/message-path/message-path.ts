import { hasClaim, resolveClaim } from "@asya/claim-check";
import type { Disposition, ReceivedMessage } from "@asya/transport";
import { toStatusError } from "../../error-info.js";
import { PayloadValidationError, ShutdownError } from "../../errors.js";
import { type Logger, lazyChild } from "../../observability/logger.js";
import { endSpan, startHandlerSpan, traceIdOf } from "../../observability/tracing.js";
import { publishDelayed } from "../delayed-publish.js";
import { admit } from "./admit.js";
import { decode } from "./decode.js";
import { claimVisit, type DedupeGuard, dedupeKey, markDone, releaseVisit } from "./dedupe.js";
import { invoke } from "./invoke.js";
import type { PathDeps } from "./path-deps.js";
import { type Plan, planFailed, planFailure, planPreflightStop, planSuccess } from "./plan.js";
import { createPublisher, type Sent } from "./publish.js";
import { pausedReport, runningReport } from "./reports.js";

/** Processes one delivery; returns how to settle it. Never throws. */
export type MessageProcessor = (message: ReceivedMessage) => Promise<Disposition>;

const ACK: Disposition = Object.freeze({ kind: "ack" });

/** Redelivery delay after a failed publish: 100 ms doubling per delivery, capped at 30 s. */
export function redeliveryDelayMs(deliveryCount: number | undefined): number {
  return Math.min(30_000, 100 * 2 ** Math.min(20, Math.max(0, (deliveryCount ?? 1) - 1)));
}

/**
 * The message path of a routing actor (SPEC sections 2-4), top to bottom:
 * decode -> admit (and resolve a claim) -> invoke -> plan -> publish -> settle. Each stage returns a discriminated union;
 * the publisher is the one place that encodes, applies trace context, checks size and publishes.
 */
export function createMessagePath(deps: PathDeps): MessageProcessor {
  const { actor, logger, metrics } = deps;
  const now = () => deps.clock.now();
  const publish = createPublisher(deps);
  const delay = { clock: deps.clock, timer: deps.timer, signal: deps.shutdownSignal };
  // One listener for every call in flight, instead of one per call.
  deps.shutdownSignal.addEventListener(
    "abort",
    () => {
      for (const call of deps.calls) call.abort(new ShutdownError());
    },
    { once: true },
  );

  const process = async (message: ReceivedMessage): Promise<Disposition> => {
    metrics.received();
    const at = new Date(now());

    // 1. decode
    const decoded = decode(message, actor, deps.maxMessageBytes, at.getTime());
    if (decoded.kind === "deferred") {
      // An emulated long delay: re-delay the exact bytes without calling the handler.
      await publishDelayed(
        deps.transport,
        message.queue,
        message.body,
        message.attributes,
        decoded.remainingMs,
        delay,
      );
      metrics.outcome("deferred");
      return ACK;
    }
    if (decoded.kind === "unparseable") {
      // Not the error itself: JSON parse messages quote the body, and logs never carry payloads.
      logger.warn("unparseable message sent to sink", {
        envelope_id: decoded.envelope.id,
        error_code: (decoded.error as { code?: unknown }).code,
      });
      const plan = planFailed(deps, decoded.envelope, "ParseError", toStatusError(decoded.error), at);
      return settle(plan, await publish(plan, undefined), message, logger);
    }
    const { envelope } = decoded;
    const log = lazyChild(logger, () => ({
      envelope_id: envelope.id,
      trace_id: traceIdOf(envelope.headers),
    }));

    // 2. admit
    const admitted = admit(envelope, actor, deps.resiliency.actorTimeoutMs, at, log);
    if (admitted.kind === "reject") {
      const plan = planFailed(deps, envelope, admitted.reason, admitted.error, at);
      return settle(plan, await publish(plan, undefined), message, log);
    }
    const { limitMs } = admitted;
    let working = admitted.working;
    if (hasClaim(working.headers)) {
      // Claim-check: the handler sees the real payload; a claim that cannot be resolved fails the
      // attempt (retryable ones by policy) and its retry carries the claim, never a null payload.
      try {
        working = await resolveClaim(working, deps.claimCheck);
      } catch (error) {
        log.warn("claim-checked payload not resolved; handler not called", {
          err: error,
          error_code: (error as { code?: unknown }).code,
        });
        const plan = planFailure(deps, working, error, message.queue, at, log);
        return settle(plan, await publish(plan, undefined), message, log);
      }
    }
    if (deps.payloadSchema !== undefined) {
      const checked = deps.payloadSchema.safeParse(working.payload);
      if (!checked.success) {
        const error = new PayloadValidationError(checked.error.issues);
        log.warn("payload rejected by payloadSchema; handler not called", { field: error.field });
        const plan = planFailure(deps, working, error, message.queue, at, log);
        return settle(plan, await publish(plan, undefined), message, log);
      }
      working = { ...working, payload: checked.data };
    }
    const createdMs = Date.parse(working.status?.created_at ?? "");
    if (Number.isFinite(createdMs)) metrics.endToEndAge(at.getTime() - createdMs);
    const target = deps.gateway.targetOf(working);
    if (target !== undefined) {
      // Pre-flight (GATEWAY.md section 3): a canceled or paused task does not reach the handler.
      const answer = await deps.gateway.preflight(target);
      if (answer !== "proceed") {
        log.info("task is not running at the gateway; handler not called", { task_status: answer });
        const plan = planPreflightStop(deps, working, answer, new Date(now()));
        return settle(plan, await publish(plan, undefined), message, log);
      }
      deps.gateway.report(target, runningReport(actor, working));
    }

    // De-duplication (optional): one call per visit under redelivery and concurrent copies.
    let visit: string | undefined;
    if (deps.dedupe !== undefined) {
      const claim = await claimVisit(deps.dedupe, dedupeKey(actor, working), limitMs + 5_000);
      if (claim.kind === "done") {
        log.info("already processed here; acked without calling the handler");
        metrics.outcome("deduplicated");
        return ACK;
      }
      if (claim.kind === "busy") {
        log.info("another copy is being processed; trying again later");
        metrics.outcome("redelivered", "Deduplicating");
        return { kind: "retry", delayMs: Math.min(limitMs, 1_000) };
      }
      visit = claim.key;
    }

    // 3. invoke, inside the handler span
    const { span, ctx } = startHandlerSpan(deps.tracer, actor, envelope.headers, {
      "asya.envelope.id": envelope.id,
      "asya.attempt": working.status?.attempt ?? 1,
    });
    const invoked = await invoke(deps, working, limitMs, ctx, target);
    if (invoked.kind === "unavailable") {
      if (visit !== undefined) await releaseVisit(deps.dedupe as DedupeGuard, visit);
      endSpan(span, "error", invoked.error);
      log.warn("the handler's process is unavailable; leaving the message for redelivery", {
        err: invoked.error,
      });
      metrics.outcome("redelivered", "HandlerUnavailable");
      return deps.shutdownSignal.aborted
        ? { kind: "retry" }
        : { kind: "retry", delayMs: redeliveryDelayMs(message.deliveryCount) };
    }
    if (invoked.kind === "shutdown") {
      if (visit !== undefined) await releaseVisit(deps.dedupe as DedupeGuard, visit);
      endSpan(span, "shutdown", new ShutdownError());
      log.info("aborted by shutdown; leaving the message for redelivery");
      metrics.outcome("redelivered", "Shutdown");
      return { kind: "retry" };
    }
    endSpan(
      span,
      invoked.kind === "error" ? "error" : invoked.outputs.length === 0 ? "end" : "ok",
      invoked.kind === "error" ? invoked.error : undefined,
    );

    // 4. plan
    const done = new Date(now());
    let plan =
      invoked.kind === "error"
        ? planFailure(deps, working, invoked.error, message.queue, done, log)
        : planSuccess(deps, working, invoked.outputs, message.queue, done, log);
    // FLY events reach the gateway before the outputs do (at most one request timeout of waiting).
    if (target !== undefined) await deps.gateway.flush(target);
    for (const held of plan.paused ?? []) {
      const heldTarget = deps.gateway.targetOf(held);
      if (heldTarget !== undefined) deps.gateway.report(heldTarget, pausedReport(actor, held));
    }

    // 5. publish (with at most one fallback plan for what could not be sent). Outputs streamed
    // before a remote handler's error go first, as SPEC section 9 asks; the error then applies.
    if (invoked.kind === "error" && invoked.partial.length > 0) {
      const partial = planSuccess(deps, working, invoked.partial, message.queue, done, log);
      // Held (paused) partials are not sent; the rest are.
      const { paused: _held, ...sendable } = partial;
      const partialSent = await publish(sendable, ctx);
      if (partialSent.kind !== "sent") {
        if (visit !== undefined) await releaseVisit(deps.dedupe as DedupeGuard, visit);
        return settle(partial, partialSent, message, log);
      }
    }
    let sent = await publish(plan, ctx);
    if (sent.kind === "unencodable" && plan.onUnencodable !== undefined) {
      plan = plan.onUnencodable(sent.error);
      sent = await publish(plan, ctx);
    }
    if (sent.kind === "tooLarge" && plan.onTooLarge !== undefined) {
      plan = plan.onTooLarge(sent.error);
      sent = await publish(plan, ctx);
    }

    // A successful call is done once its outputs are out; a failed one (retried as a new attempt of
    // this visit) or an unsent one gives the visit back.
    if (visit !== undefined) {
      const guard = deps.dedupe as DedupeGuard;
      if (sent.kind === "sent" && invoked.kind !== "error") await markDone(guard, visit);
      else await releaseVisit(guard, visit);
    }

    // 6. settle
    return settle(plan, sent, message, log);
  };

  /** Stage 6: the disposition of the delivery, and its count; never ack what was not published. */
  const settle = (plan: Plan, sent: Sent, message: ReceivedMessage, log: Logger): Disposition => {
    switch (sent.kind) {
      case "sent":
        metrics.outcome(plan.outcome, plan.reason);
        return ACK;
      case "tooLarge":
        // Even the failure envelope is refused: only now does the broker's dead-letter queue get it.
        log.error("publish refused as too large; dead-lettering", { err: sent.error });
        metrics.outcome("redelivered", "PublishTooLarge");
        return { kind: "deadLetter", reason: `publish rejected: ${(sent.error as Error).message}` };
      default:
        if (sent.error instanceof ShutdownError) {
          // Stopped during an in-process retry wait (a transport that cannot delay).
          log.info("stopped while waiting to retry; leaving the message for redelivery");
          metrics.outcome("redelivered", "Shutdown");
          return { kind: "retry" };
        }
        log.error("publish failed; leaving the message for redelivery", { err: sent.error });
        metrics.outcome("redelivered", "PublishFailed");
        // Back off so a broken downstream is not hammered; on shutdown hand it back at once.
        return deps.shutdownSignal.aborted
          ? { kind: "retry" }
          : { kind: "retry", delayMs: redeliveryDelayMs(message.deliveryCount) };
    }
  };

  return async (message) => {
    try {
      return await process(message);
    } catch (error) {
      logger.error("unexpected processing error; leaving the message for redelivery", { err: error });
      return deps.shutdownSignal.aborted
        ? { kind: "retry" }
        : { kind: "retry", delayMs: redeliveryDelayMs(message.deliveryCount) };
    }
  };
}
