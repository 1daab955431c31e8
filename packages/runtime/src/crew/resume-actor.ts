import {
  type Envelope,
  HEADER_RESUME_TASK,
  HEADER_RESUME_TIMEOUT,
  mergeResumeInput,
  RESUME_ACTOR,
  type ResumeMergeMode,
  stampStatus,
} from "@asya/envelope";
import type { StateStore } from "@asya/state";
import type { ActorHandle } from "../internal/actor-host.js";
import { type CrewOptions, createCrewActor } from "./crew-actor.js";
import { CLAIM_TTL_MS, failToSink, PAUSE_KEYS, sendOn } from "./crew-state.js";
import type { Checkpoint } from "./pause-actor.js";

/** Options of {@link createResumeActor}. */
export interface ResumeActorOptions extends CrewOptions {
  /** Where `x-pause` keeps its checkpoints. */
  readonly store: StateStore;
  /** How input is merged into the payload when the pause has no fields (`ASYA_RESUME_MERGE_MODE`). @default "shallow" */
  readonly mergeMode?: ResumeMergeMode;
  /** @default "x-resume" */
  readonly name?: string;
}

/** The restored envelope: the checkpoint's id, parent, headers and history, the merged payload, a fresh deadline. */
export function resumedEnvelope(
  checkpoint: Checkpoint,
  payload: unknown,
  timeoutSeconds: number | undefined,
): Envelope {
  const saved = checkpoint.envelope;
  const rest = saved.route.next[0] === RESUME_ACTOR ? saved.route.next.slice(1) : saved.route.next;
  const budgetMs = timeoutSeconds === undefined ? checkpoint.remaining_ms : timeoutSeconds * 1000;
  const envelope: Envelope = {
    ...saved,
    route: {
      prev: [...saved.route.prev, saved.route.curr, RESUME_ACTOR],
      curr: rest[0] ?? "",
      next: rest.slice(1),
    },
    payload,
  };
  return stampStatus(envelope, {
    phase: "pending",
    actor: RESUME_ACTOR,
    ...(budgetMs === undefined ? {} : { deadline_at: new Date(Date.now() + budgetMs).toISOString() }),
  });
}

/**
 * The `x-resume` crew actor (GATEWAY.md section 5): for the gateway's resume envelope (header
 * `x-asya-resume-task`, payload = the human's input), loads the task's checkpoint, merges the input
 * (each pause field at its `payload_key`; without fields, a shallow or deep merge), restores the
 * saved id, parent, headers, history and `next`, gives it the budget left at pause time (or
 * `x-asya-resume-timeout` seconds), sends it on and deletes the checkpoint. The resume is claimed
 * once: a redelivered resume re-sends the same envelope until the checkpoint is gone, and after that
 * is dropped; a resume for a task with no checkpoint (unknown, or its pause expired) ends failed at
 * x-sink with a clear error.
 */
export function createResumeActor(options: ResumeActorOptions): ActorHandle {
  const name = options.name ?? RESUME_ACTOR;
  const { store, mergeMode: _mergeMode, ...crewOptions } = options;
  const { transport, namespace, claimCheck } = options;
  return createCrewActor({
    ...crewOptions,
    name,
    consume: async (envelope, { logger: log }) => {
      const header = envelope.headers?.[HEADER_RESUME_TASK];
      const id = typeof header === "string" && header !== "" ? header : envelope.id;
      const checkpoint = (await store.get(PAUSE_KEYS.checkpoint(id))) as Checkpoint | undefined;
      const claim = await store.get(PAUSE_KEYS.claim(id));
      if (checkpoint === undefined) {
        if (claim !== undefined) {
          log.info("resume already done (or the pause expired); dropped", { task_id: id, claim });
          return;
        }
        await failToSink(
          transport,
          namespace,
          envelope,
          name,
          {
            type: "CheckpointNotFound",
            message: `no checkpoint for task ${id}: it was never paused, or its state store lost it`,
          },
          claimCheck,
        );
        return;
      }
      if (claim === "expired") {
        log.info("the pause expired before this resume; dropped", { task_id: id });
        return;
      }
      if (
        claim === undefined &&
        !(await store.putIfAbsent(PAUSE_KEYS.claim(id), "resumed", { ttlMs: CLAIM_TTL_MS }))
      ) {
        // The expiry sweep won the race just now.
        if ((await store.get(PAUSE_KEYS.claim(id))) === "expired") return;
      }
      const timeout = envelope.headers?.[HEADER_RESUME_TIMEOUT];
      let payload: unknown;
      try {
        payload = mergeResumeInput(
          checkpoint.envelope.payload,
          envelope.payload,
          checkpoint.pause,
          options.mergeMode,
        );
      } catch (error) {
        await failToSink(
          transport,
          namespace,
          checkpoint.envelope,
          name,
          {
            type: "ResumeMergeError",
            message: (error as Error).message,
          },
          claimCheck,
        );
        await store.delete(PAUSE_KEYS.checkpoint(id));
        return;
      }
      const resumed = resumedEnvelope(checkpoint, payload, typeof timeout === "number" ? timeout : undefined);
      await sendOn(transport, namespace, resumed, claimCheck);
      await store.delete(PAUSE_KEYS.checkpoint(id));
      if (checkpoint.expires_at !== undefined)
        await store.delete(PAUSE_KEYS.timeout(checkpoint.expires_at, id));
      log.info("resumed", { task_id: id, to: resumed.route.curr || "x-sink" });
    },
  });
}
