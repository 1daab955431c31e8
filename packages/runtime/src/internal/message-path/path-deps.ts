import type { ClaimCheck } from "@asya/claim-check";
import type { Clock, Timers, Transport } from "@asya/transport";
import type { Tracer } from "@opentelemetry/api";
import type { PayloadSchema } from "../../actor.js";
import type { ResiliencyConfig } from "../../config/resiliency-config.js";
import type { GatewayClient } from "../../gateway/gateway-client.js";
import type { Handler } from "../../handler-types.js";
import type { ActorMetrics } from "../../observability/actor-metrics.js";
import type { Logger } from "../../observability/logger.js";
import type { DedupeGuard } from "./dedupe.js";
import type { HandlerCall } from "./handler-call.js";

/** Everything one actor's message path needs; built once per actor by `createActor`. */
export interface PathDeps {
  readonly actor: string;
  readonly namespace: string | undefined;
  readonly transport: Transport;
  /** The handler; `never` because the path hands it the payload it received, whatever its type. */
  readonly handler: Handler<never>;
  readonly resiliency: ResiliencyConfig;
  readonly sinkActor: string;
  readonly maxMessageBytes: number;
  readonly logger: Logger;
  readonly tracer: Tracer;
  readonly metrics: ActorMetrics;
  /** Validates payloads before the handler runs (see `ActorOptions.payloadSchema`). */
  readonly payloadSchema?: PayloadSchema<unknown>;
  /** Per-call time limits: one timer structure for the actor, on its clock. */
  readonly timer: Timers;
  /** The actor's time (stamps, SLAs, backoff budgets). */
  readonly clock: Clock;
  /** Calls in flight, aborted together on shutdown. */
  readonly calls: Set<HandlerCall>;
  /** Aborted when the actor stops: in-flight calls end and their messages go back. */
  readonly shutdownSignal: AbortSignal;
  readonly random?: () => number;
  /** Task reports and pre-flight (GATEWAY.md section 3). */
  readonly gateway: GatewayClient;
  /** The de-duplication guard (see `ActorOptions.dedupe`). */
  readonly dedupe?: DedupeGuard;
  /** Claim-check of large payloads (see `ActorOptions.claimCheck`). */
  readonly claimCheck?: ClaimCheck;
}
