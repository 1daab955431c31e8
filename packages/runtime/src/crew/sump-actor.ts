import { type Envelope, SUMP_ACTOR } from "@asya/envelope";
import type { ActorHandle } from "../internal/actor-host.js";
import { type CrewOptions, createCrewActor } from "./crew-actor.js";
import type { ResultStore } from "./result-store.js";

/** Options of {@link createSumpActor}. */
export interface SumpActorOptions extends CrewOptions {
  /** Where failures are persisted (a JSONL file store in production). */
  readonly store: ResultStore;
  /** This actor's name. @default "x-sump" */
  readonly name?: string;
  /** Called for each failure after it is stored (alerting hook). */
  readonly onFailure?: (envelope: Envelope) => void;
}

/** The sump actor: the running handle plus failure counts by reason. */
export interface SumpActor extends ActorHandle {
  /** Failures seen by this process, by `status.reason`. */
  counts(): Readonly<Record<string, number>>;
}

/**
 * The `x-sump` crew actor: the dead-letter end of the mesh. Persists, logs and counts failures;
 * use {@link replayEnvelope} to re-inject one.
 *
 * @example
 * const sump = createSumpActor({ transport, store: createJsonlFileStore("./sump.jsonl") });
 */
export function createSumpActor(options: SumpActorOptions): SumpActor {
  const counts: Record<string, number> = {};
  const handle = createCrewActor({
    ...options,
    name: options.name ?? SUMP_ACTOR,
    keepUnresolvedClaims: true,
    consume: async (envelope, { logger: log }) => {
      await options.store.write(envelope);
      const reason = envelope.status?.reason ?? "Unknown";
      counts[reason] = (counts[reason] ?? 0) + 1;
      log.warn("failure recorded", {
        reason,
        error_type: envelope.status?.error?.type,
        failed_at: envelope.status?.actor,
      });
      options.onFailure?.(envelope);
    },
  });
  return { ...handle, counts: () => ({ ...counts }) };
}
