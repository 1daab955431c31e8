import { type ClaimCheck, hasClaim } from "@asya/claim-check";
import {
  createEnvelope,
  type Envelope,
  isValidActorName,
  parseEnvelope,
  queueName,
  stampStatus,
} from "@asya/envelope";
import type { Disposition, Transport } from "@asya/transport";
import type { Meter } from "@opentelemetry/api";
import { z } from "zod";
import { toStatusError } from "../error-info.js";
import { RuntimeConfigError } from "../errors.js";
import { type ActorHandle, createActorHost } from "../internal/actor-host.js";
import { rawBodyPayload, salvageId } from "../internal/raw-body.js";
import { createActorMetrics } from "../observability/actor-metrics.js";
import { createJsonLogger, type Logger } from "../observability/logger.js";
import { createMetricsRegistry, type MetricsRegistry } from "../observability/metrics-registry.js";
import { resolveCrewClaim } from "./crew-claims.js";

/** Options shared by the crew actors. */
export interface CrewOptions {
  readonly transport: Transport;
  readonly namespace?: string;
  /** Handler calls in flight. @default 1 */
  readonly concurrency?: number;
  readonly logger?: Logger;
  readonly meter?: Meter;
  readonly registry?: MetricsRegistry;
  readonly healthPort?: number;
  readonly healthHost?: string;
  readonly metricsEnabled?: boolean;
  /** Largest accepted envelope. @default 10 MiB */
  readonly maxMessageBytes?: number;
  /**
   * Claim-check (GATEWAY.md section 7): claims are resolved before the crew step sees the
   * envelope, and what it publishes is claim-checked over the threshold.
   */
  readonly claimCheck?: ClaimCheck;
}

const crewSchema = z.object({
  transport: z.custom<Transport>(
    (value) =>
      value !== null && typeof value === "object" && typeof (value as Transport).consume === "function",
    { error: "must be a Transport" },
  ),
  namespace: z.string().refine(isValidActorName, { error: "must be a DNS-1123 label" }).optional(),
  concurrency: z.number().int().min(1).max(10_000).optional(),
  healthPort: z.number().int().min(0).max(65_535).optional(),
  store: z
    .custom<unknown>(
      (value) =>
        value !== null &&
        typeof value === "object" &&
        typeof (value as { write?: unknown }).write === "function",
      { error: "must be a ResultStore ({ write(envelope) })" },
    )
    .optional(),
});

/** What a crew actor does with each envelope; a throw (or rejection) leaves it for redelivery. */
export type CrewConsume = (envelope: Envelope, context: { readonly logger: Logger }) => Promise<void> | void;

/** Options of {@link createCrewActor}. */
export interface CrewActorOptions extends CrewOptions {
  /** The crew actor's name (its queue is `queueName(name, namespace)`), e.g. `x-audit`. */
  readonly name: string;
  readonly consume: CrewConsume;
  /**
   * An envelope whose claim cannot be resolved is handed to `consume` with its claim (x-sink,
   * x-sump: stored, not lost): a failed one as it came, another once it is refused or its retries
   * are spent, stamped failed (`RuntimeError`, error type `ClaimCheckError`). Without this it ends
   * failed at x-sink. See `resolveCrewClaim`.
   */
  readonly keepUnresolvedClaims?: boolean;
}

/**
 * A crew actor: runs `consume(envelope)` for every message of its queue and never routes (SPEC
 * section 5). `x-sink` and `x-sump` are built on it; so can your own (an audit log, a webhook).
 * Garbage on the queue is wrapped as a `ParseError` envelope and handed to `consume`, never dropped.
 *
 * @example
 * const audit = createCrewActor({ name: "x-audit", transport, consume: (envelope) => log(envelope) });
 * await audit.start();
 *
 * @throws RuntimeConfigError code `INVALID_CONFIG` naming the invalid option.
 */
export function createCrewActor(options: CrewActorOptions & { readonly store?: unknown }): ActorHandle {
  const { name, consume } = options;
  const parsed = crewSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") ?? "options";
    throw new RuntimeConfigError(`${name}: ${field}: ${issue?.message ?? "invalid"}`, {
      code: "INVALID_CONFIG",
      field,
      cause: parsed.error,
    });
  }
  const registry = options.registry ?? createMetricsRegistry();
  const metrics = createActorMetrics(name, registry, options.meter);
  const logger = (options.logger ?? createJsonLogger()).child({ actor: name });
  const queue = queueName(name, options.namespace);
  const process = async (message: {
    body: Uint8Array;
    id: string;
    queue: string;
    deliveryCount?: number | undefined;
  }): Promise<Disposition> => {
    metrics.received();
    let envelope: Envelope;
    try {
      envelope = parseEnvelope(message.body, {
        maxBytes: options.maxMessageBytes ?? Number.MAX_SAFE_INTEGER,
      });
    } catch (error) {
      // Garbage on a crew queue is kept, never dropped: wrap it like any unparseable body.
      envelope = stampStatus(
        createEnvelope({
          id: salvageId(message.body) ?? `unparseable-${message.id}`,
          route: { prev: [], curr: "", next: [] },
          payload: { ...rawBodyPayload(message.body), queue: message.queue, message_id: message.id },
        }),
        { phase: "failed", reason: "ParseError", actor: name, error: toStatusError(error) },
      );
    }
    const log = logger.child({ envelope_id: envelope.id });
    if (hasClaim(envelope.headers)) {
      const resolved = await resolveCrewClaim(envelope, message.deliveryCount, {
        name,
        transport: options.transport,
        namespace: options.namespace,
        claimCheck: options.claimCheck,
        keepUnresolvedClaims: options.keepUnresolvedClaims === true,
        logger: log,
        metrics,
      });
      if ("settle" in resolved) return resolved.settle;
      envelope = resolved.envelope;
    }
    try {
      await consume(envelope, { logger: log });
    } catch (error) {
      log.error("crew step failed; leaving the message for redelivery", { err: error });
      metrics.outcome("redelivered", "StoreFailed");
      return { kind: "retry", delayMs: 1_000 };
    }
    metrics.outcome("succeeded", envelope.status?.reason ?? "Completed");
    return { kind: "ack" };
  };
  return createActorHost({
    actor: name,
    queue,
    transport: options.transport,
    concurrency: options.concurrency ?? 1,
    maxProcessingMs: 60_000,
    logger,
    metrics,
    registry,
    metricsEnabled: options.metricsEnabled ?? true,
    healthPort: options.healthPort,
    healthHost: options.healthHost ?? "127.0.0.1",
    shutdown: new AbortController(),
    process,
  });
}
