import { encodeEnvelope, queueName, SINK_ACTOR, SUMP_ACTOR } from "@asya/envelope";
import type { ActorHandle } from "../internal/actor-host.js";
import { type CrewOptions, createCrewActor } from "./crew-actor.js";
import { createStdoutStore, type ResultStore } from "./result-store.js";

/** Options of {@link createSinkActor}. */
export interface SinkActorOptions extends CrewOptions {
  /** Where finished envelopes are persisted. @default JSON lines on stdout */
  readonly store?: ResultStore;
  /** This actor's name. @default "x-sink" */
  readonly name?: string;
  /** Where failed envelopes are forwarded. @default "x-sump" */
  readonly sump?: string;
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
  return createCrewActor({
    ...options,
    name: options.name ?? SINK_ACTOR,
    consume: async (envelope, { logger: log }) => {
      await store.write(envelope);
      if (envelope.status?.phase === "failed") {
        await options.transport.publish(sumpQueue, { body: encodeEnvelope(envelope) });
        log.info("failed envelope stored and forwarded to sump", { reason: envelope.status.reason });
      } else {
        log.info("result stored", { phase: envelope.status?.phase });
      }
    },
  });
}
