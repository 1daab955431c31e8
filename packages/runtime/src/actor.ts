import type { ClaimCheck } from "@asya/claim-check";
import { DEFAULT_MAX_ENVELOPE_BYTES, isValidActorName, queueName, SINK_ACTOR } from "@asya/envelope";
import type { StateStore } from "@asya/state";
import { type Clock, createTimers, MAX_TIMER_MS, systemClock, type Transport } from "@asya/transport";
import type { Meter, Tracer } from "@opentelemetry/api";
import { z } from "zod";
import {
  type ResiliencyConfig,
  type ResiliencyInput,
  resolveResiliency,
} from "./config/resiliency-config.js";
import { type PayloadIssue, RuntimeConfigError } from "./errors.js";
import { createGatewayClient } from "./gateway/gateway-client.js";
import { type GatewayOptions, resolveGatewayConfig } from "./gateway/gateway-options.js";
import type { Handler } from "./handler-types.js";
import { type ActorHandle, createActorHost } from "./internal/actor-host.js";
import { createMessagePath } from "./internal/message-path/message-path.js";
import { createActorMetrics } from "./observability/actor-metrics.js";
import { createJsonLogger, type Logger } from "./observability/logger.js";
import { createMetricsRegistry, type MetricsRegistry } from "./observability/metrics-registry.js";
import { defaultTracer } from "./observability/tracing.js";

/** Options of {@link createActor}. */
export interface ActorOptions<TPayload = unknown> {
  /** The actor's name (DNS-1123 label); it consumes `queueName(name, namespace)`. */
  readonly name: string;
  readonly handler: Handler<TPayload>;
  readonly transport: Transport;
  /** Queue namespace: queues are `asya-<namespace>-<actor>`. @default none (`asya-<actor>`) */
  readonly namespace?: string;
  /** Handler calls in flight at once. @default 1 */
  readonly concurrency?: number;
  /** SPEC section 4 resiliency (`actorTimeout`, `policies`, `rules`), or an already resolved config. */
  readonly resiliency?: ResiliencyInput | ResiliencyConfig;
  /** Terminal actor for finished envelopes. @default "x-sink" */
  readonly sink?: string;
  /**
   * Validates every payload before the handler is called (a zod schema, or anything with the same
   * `safeParse`); the handler gets the parsed value. An invalid payload ends failed with a
   * non-retryable `PayloadValidationError` naming the field. @default no validation
   */
  readonly payloadSchema?: PayloadSchema<TPayload>;
  /** @default a JSON logger on stderr at level info */
  readonly logger?: Logger;
  /** @default trace.getTracer("@asya/runtime") (no-op without an OTel SDK) */
  readonly tracer?: Tracer;
  /** @default metrics.getMeter("@asya/runtime") (no-op without an OTel SDK) */
  readonly meter?: Meter;
  /** Largest accepted envelope in bytes; larger ones end failed (ParseError). @default 10 MiB */
  readonly maxMessageBytes?: number;
  /** Serve /healthz, /readyz, /metrics on this port (0 = any free port). @default no server */
  readonly healthPort?: number;
  /** Address the health server binds to. @default "127.0.0.1" */
  readonly healthHost?: string;
  /** Serve `/metrics`. @default true */
  readonly metricsEnabled?: boolean;
  /** Registry behind `/metrics`; share one between actors of one process. @default a new one */
  readonly registry?: MetricsRegistry;
  /** Random source for jitter (tests). @default Math.random */
  readonly random?: () => number;
  /**
   * The actor's time: status stamps, SLAs, `maxDuration` budgets and per-call timeouts. Give the
   * same `createTestClock()` to the memory transport (or its broker) to run retries and timeouts
   * deterministically, in milliseconds. @default systemClock
   */
  readonly clock?: Clock;
  /**
   * The trusted gateway for task reports and pre-flight (GATEWAY.md section 3). Without `url` or
   * `allowedOrigins`, `x-asya-gateway-url` headers are ignored: nothing is reported.
   */
  readonly gateway?: GatewayOptions;
  /**
   * A de-duplication guard in a shared state store (`ASYA_DEDUPE_TTL` for `asya run`): each visit
   * (envelope id, actor, `len(route.prev)`) is claimed with a lease before the call and marked done
   * after its outputs are published, so a side-effecting handler runs once per envelope under
   * redelivery and concurrent copies; a copy that finds `done` is acked without a call. `ttlMs`:
   * how long `done` is remembered.
   */
  readonly dedupe?: { readonly store: StateStore; readonly ttlMs: number };
  /**
   * Claim-check (GATEWAY.md section 7; `ASYA_CLAIM_CHECK_*` for `asya run`): outputs whose encoded
   * envelope exceeds its threshold travel with their payload in the store and an `x-asya-claim`
   * header; claims on received envelopes are resolved before the handler, which never knows.
   */
  readonly claimCheck?: ClaimCheck;
}

/** What `payloadSchema` needs: zod's `safeParse` shape (zod 3 and 4 schemas both fit). */
export interface PayloadSchema<T> {
  safeParse(
    value: unknown,
  ):
    | { readonly success: true; readonly data: T }
    | { readonly success: false; readonly error: { readonly issues: readonly PayloadIssue[] } };
}

/** A running actor: see {@link ActorHandle}. */
export type Actor = ActorHandle;

const actorName = z
  .string()
  .refine(isValidActorName, { error: "must be a DNS-1123 label (a-z, 0-9, '-', <= 63)" });
const optionsSchema = z.object({
  name: actorName,
  handler: z.custom<Handler<unknown>>((value) => typeof value === "function", {
    error: "must be a function",
  }),
  transport: z.custom<Transport>(
    (value) =>
      value !== null && typeof value === "object" && typeof (value as Transport).consume === "function",
    { error: "must be a Transport" },
  ),
  namespace: z.string().min(1).optional(),
  concurrency: z.number().int().min(1).max(10_000).optional(),
  sink: actorName.optional(),
  payloadSchema: z
    .custom<PayloadSchema<unknown>>(
      (value) =>
        value !== null &&
        typeof value === "object" &&
        typeof (value as { safeParse?: unknown }).safeParse === "function",
      { error: "must be a schema with safeParse (e.g. a zod schema)" },
    )
    .optional(),
  maxMessageBytes: z.number().int().positive().optional(),
  healthPort: z.number().int().min(0).max(65_535).optional(),
  healthHost: z.string().min(1).optional(),
  claimCheck: z
    .custom<ClaimCheck>(
      (value) =>
        value !== null &&
        typeof value === "object" &&
        typeof (value as { encodeForWire?: unknown }).encodeForWire === "function" &&
        typeof (value as { resolve?: unknown }).resolve === "function",
      { error: "must be a ClaimCheck (createClaimCheck from @asya/claim-check)" },
    )
    .optional(),
});

function isResolved(value: unknown): value is ResiliencyConfig {
  return value !== null && typeof value === "object" && "actorTimeoutMs" in value;
}

/**
 * Creates an actor: consumes its queue, calls the handler, routes outputs, applies resiliency, and
 * sends finished/failed envelopes to the sink. Nothing runs until `start()`.
 *
 * @throws RuntimeConfigError code `INVALID_CONFIG` when options are invalid (message names the option).
 * @example
 * const actor = createActor({ name: "clean", transport, handler: (p: { text: string }) => ({ text: p.text.trim() }) });
 * await actor.start();
 */
export function createActor<TPayload = unknown>(options: ActorOptions<TPayload>): Actor {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") ?? "options";
    throw new RuntimeConfigError(`createActor: ${field}: ${issue?.message ?? "invalid"}`, {
      code: "INVALID_CONFIG",
      field,
      cause: parsed.error,
    });
  }
  const resiliency = isResolved(options.resiliency)
    ? options.resiliency
    : resolveResiliency(options.resiliency);
  const namespace = options.namespace;
  const queue = queueName(options.name, namespace);
  const registry = options.registry ?? createMetricsRegistry();
  const metrics = createActorMetrics(options.name, registry, options.meter);
  const logger = (options.logger ?? createJsonLogger()).child({ actor: options.name });
  const shutdown = new AbortController();
  const clock = options.clock ?? systemClock;
  const gateway = createGatewayClient(resolveGatewayConfig(options.gateway), logger, () =>
    metrics.gatewayReportDropped(),
  );
  const process = createMessagePath({
    actor: options.name,
    namespace,
    transport: options.transport,
    handler: options.handler as Handler<never>,
    resiliency,
    sinkActor: options.sink ?? SINK_ACTOR,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_ENVELOPE_BYTES,
    logger,
    tracer: options.tracer ?? defaultTracer(),
    metrics,
    shutdownSignal: shutdown.signal,
    ...(options.payloadSchema === undefined ? {} : { payloadSchema: options.payloadSchema }),
    timer: createTimers(clock),
    clock,
    calls: new Set(),
    ...(options.random === undefined ? {} : { random: options.random }),
    gateway,
    ...(options.dedupe === undefined ? {} : { dedupe: options.dedupe }),
    ...(options.claimCheck === undefined ? {} : { claimCheck: options.claimCheck }),
  });
  return createActorHost({
    actor: options.name,
    queue,
    transport: options.transport,
    concurrency: options.concurrency ?? 1,
    // A transport that cannot delay has retry waits held in process (see delayed-publish.ts): the
    // delivery is kept alive through them, bounded by the wait itself rather than a guess.
    maxProcessingMs:
      options.transport.capabilities.maxDelayMs > 0
        ? Math.min(resiliency.actorTimeoutMs + 30_000, MAX_TIMER_MS)
        : MAX_TIMER_MS,
    logger,
    metrics,
    registry,
    metricsEnabled: options.metricsEnabled ?? true,
    healthPort: options.healthPort,
    healthHost: options.healthHost ?? "127.0.0.1",
    shutdown,
    process,
  });
}
