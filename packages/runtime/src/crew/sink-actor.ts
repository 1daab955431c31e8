import { type Envelope, HEADER_FAN_IN, queueName, SINK_ACTOR, SUMP_ACTOR } from "@asya/envelope";
import { createGatewayClient, type GatewayEvent } from "../gateway/gateway-client.js";
import { type GatewayOptions, resolveGatewayConfig } from "../gateway/gateway-options.js";
import type { ActorHandle } from "../internal/actor-host.js";
import { silentLogger } from "../observability/logger.js";
import { type CrewOptions, createCrewActor } from "./crew-actor.js";
import { encodeForWire } from "./crew-state.js";
import { createStdoutStore, type ResultStore } from "./result-store.js";

/** Options of {@link createSinkActor}. */
export interface SinkActorOptions extends CrewOptions {
  /** Where finished envelopes are persisted. @default JSON lines on stdout */
  readonly store?: ResultStore;
  /** This actor's name. @default "x-sink" */
  readonly name?: string;
  /** Where failed envelopes are forwarded. @default "x-sump" */
  readonly sump?: string;
  /** The trusted gateway that gets the final status of every root task (GATEWAY.md section 3). */
  readonly gateway?: GatewayOptions;
}

/** The final status report of a finished root envelope, or undefined (ended paused: no final). */
export function finalReport(envelope: Envelope): GatewayEvent | undefined {
  const phase = envelope.status?.phase;
  if (phase === "succeeded" || phase === undefined || phase === "pending" || phase === "processing") {
    return { type: "status", status: "succeeded", data: { status: "succeeded", result: envelope.payload } };
  }
  if (phase === "failed") {
    const error = envelope.status?.error ?? envelope.status?.reason ?? "failed";
    return { type: "status", status: "failed", data: { status: "failed", error } };
  }
  if (phase === "canceled") return { type: "status", status: "canceled", data: { status: "canceled" } };
  return undefined;
}

/** Whether `envelope` is a task of its own: not a fan-out child, not a fan-in part. */
function isRoot(envelope: Envelope): boolean {
  return envelope.parent_id === undefined && envelope.headers?.[HEADER_FAN_IN] === undefined;
}

/**
 * The `x-sink` crew actor: persists every finished envelope (succeeded or failed) in the store,
 * forwards failed ones to `x-sump`, then acks (only after both are durable).
 *
 * @example
 * const sink = createSinkActor({ transport, store: createJsonlFileStore("./results.jsonl") });
 * await sink.start();
 */
export function createSinkActor(options: SinkActorOptions): ActorHandle {
  const store = options.store ?? createStdoutStore();
  const sumpQueue = queueName(options.sump ?? SUMP_ACTOR, options.namespace);
  const gateway = createGatewayClient(
    resolveGatewayConfig(options.gateway),
    (options.logger ?? silentLogger).child({ actor: options.name ?? SINK_ACTOR }),
  );
  return createCrewActor({
    ...options,
    name: options.name ?? SINK_ACTOR,
    keepUnresolvedClaims: true,
    consume: async (envelope, { logger: log }) => {
      // A fan-in partial is not a result (GATEWAY.md section 6): acked, neither stored nor reported.
      if (envelope.headers?.[HEADER_FAN_IN] !== undefined) {
        log.debug("fan-in partial acked", { phase: envelope.status?.phase });
        return;
      }
      // Durable finals: the message is acked only once the gateway took the task's final status.
      const target = isRoot(envelope) ? gateway.targetOf(envelope) : undefined;
      const report = target === undefined ? undefined : finalReport(envelope);
      if (target !== undefined && report !== undefined && !(await gateway.final(target, report))) {
        throw new Error("the gateway did not take the final status");
      }
      await store.write(envelope);
      if (envelope.status?.phase === "failed") {
        await options.transport.publish(sumpQueue, {
          body: await encodeForWire(envelope, options.transport, options.claimCheck),
        });
        log.info("failed envelope stored and forwarded to sump", { reason: envelope.status.reason });
      } else {
        log.info("result stored", { phase: envelope.status?.phase });
      }
    },
  });
}
