import {
  type Envelope,
  HEADER_FAN_IN,
  HEADER_PAUSE,
  HEADER_PAUSE_METADATA,
  HEADER_ROUTE_OVERRIDE,
  HEADER_ROUTE_RESOLVED,
  PAUSE_ACTOR,
  type PauseMetadata,
  pauseMetadataSchema,
  RESUME_ACTOR,
} from "@asya/envelope";
import type { JsonValue, StateStore } from "@asya/state";
import { createGatewayClient } from "../gateway/gateway-client.js";
import { type GatewayOptions, resolveGatewayConfig } from "../gateway/gateway-options.js";
import type { ActorHandle } from "../internal/actor-host.js";
import { silentLogger } from "../observability/logger.js";
import { type CrewOptions, createCrewActor } from "./crew-actor.js";
import { CLAIM_TTL_MS, failToSink, PAUSE_KEYS, withSweep } from "./crew-state.js";

/** Options of {@link createPauseActor}. */
export interface PauseActorOptions extends CrewOptions {
  /** Where checkpoints are kept (shared with `x-resume`). */
  readonly store: StateStore;
  /** Pause metadata for envelopes that carry no `x-asya-pause-metadata` (`ASYA_PAUSE_METADATA`). */
  readonly metadata?: unknown;
  /** The trusted gateway, told `paused` (with the metadata) before the envelope is acked. */
  readonly gateway?: GatewayOptions;
  /** How often pauses past their `timeout_s` are ended. @default 1000 */
  readonly sweepIntervalMs?: number;
  /** @default "x-pause" */
  readonly name?: string;
}

/** Headers a checkpoint does not keep: per-hop ones (GATEWAY.md section 5) and the pause request. */
const TRANSIENT = [
  HEADER_FAN_IN,
  HEADER_ROUTE_OVERRIDE,
  HEADER_ROUTE_RESOLVED,
  HEADER_PAUSE_METADATA,
  HEADER_PAUSE,
];

/** What x-pause saves and x-resume restores. */
export interface Checkpoint {
  readonly envelope: Envelope;
  readonly pause: PauseMetadata;
  readonly paused_at: string;
  /** The deadline's budget left at pause time (restarted on resume). */
  readonly remaining_ms?: number;
  readonly expires_at?: string;
}

/**
 * The `x-pause` crew actor (GATEWAY.md section 5): saves a checkpoint of the envelope (its id,
 * route with `x-resume` first in `next`, headers without the transient ones, payload, the pause
 * metadata from `x-asya-pause-metadata` or `metadata`), tells the gateway the task is `paused`
 * (durably: the envelope is acked only after the gateway took it), and routes nothing: no process
 * holds the task while a human thinks. A pause with `timeout_s` that nobody answers ends the task
 * `failed` ("pause expired") at x-sink and removes its checkpoint.
 *
 * @throws RuntimeConfigError for invalid options (a bad default `metadata` names it).
 */
export function createPauseActor(options: PauseActorOptions): ActorHandle {
  const name = options.name ?? PAUSE_ACTOR;
  const { store, metadata: _metadata, gateway: _gateway, ...crewOptions } = options;
  const { transport, namespace, claimCheck } = options;
  const logger = (options.logger ?? silentLogger).child({ actor: name });
  const gateway = createGatewayClient(resolveGatewayConfig(options.gateway), logger);
  const fallback = options.metadata === undefined ? undefined : pauseMetadataSchema.parse(options.metadata);

  const actor = createCrewActor({
    ...crewOptions,
    name,
    consume: async (envelope, { logger: log }) => {
      if (envelope.status?.reason === "ParseError") {
        await failToSink(
          transport,
          namespace,
          envelope,
          name,
          {
            type: "ParseError",
            message: "x-pause received a message that is not an envelope",
          },
          claimCheck,
        );
        return;
      }
      const raw = envelope.headers?.[HEADER_PAUSE_METADATA] ?? fallback ?? {};
      const parsed = pauseMetadataSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        await failToSink(
          transport,
          namespace,
          envelope,
          name,
          {
            type: "PauseMetadataError",
            message: `invalid ${HEADER_PAUSE_METADATA}: ${issue?.path.join(".") || "metadata"}: ${issue?.message}`,
          },
          claimCheck,
        );
        return;
      }
      const pause = parsed.data;
      const now = new Date();
      const rest = envelope.route.next;
      const headers = Object.fromEntries(
        Object.entries(envelope.headers ?? {}).filter(([key]) => !TRANSIENT.includes(key)),
      );
      const deadline =
        envelope.status?.deadline_at === undefined ? undefined : Date.parse(envelope.status.deadline_at);
      const expiresAt =
        pause.timeout_s === undefined
          ? undefined
          : new Date(now.getTime() + pause.timeout_s * 1000).toISOString();
      const checkpoint: Checkpoint = {
        envelope: {
          ...envelope,
          headers,
          route: { ...envelope.route, next: rest[0] === RESUME_ACTOR ? rest : [RESUME_ACTOR, ...rest] },
        },
        pause,
        paused_at: now.toISOString(),
        ...(deadline === undefined ? {} : { remaining_ms: Math.max(0, deadline - now.getTime()) }),
        ...(expiresAt === undefined ? {} : { expires_at: expiresAt }),
      };
      // A redelivered copy writes the same checkpoint again; a new pause of the same task (a loop)
      // replaces the previous, already resumed one.
      await store.delete(PAUSE_KEYS.claim(envelope.id));
      await store.put(PAUSE_KEYS.checkpoint(envelope.id), checkpoint as unknown as JsonValue);
      if (expiresAt !== undefined) await store.put(PAUSE_KEYS.timeout(expiresAt, envelope.id), envelope.id);
      const target = envelope.parent_id === undefined ? gateway.targetOf(envelope) : undefined;
      if (target !== undefined) {
        const told = await gateway.final(target, {
          type: "status",
          status: "paused",
          data: { actor: name, pause },
        });
        if (!told) throw new Error("the gateway did not take the paused status");
      }
      log.info("paused", { timeout_s: pause.timeout_s });
    },
  });

  // Pauses past their timeout: claimed once (against a concurrent resume), ended failed at x-sink.
  const sweep = async () => {
    const now = new Date().toISOString();
    for (const key of await store.listByPrefix(PAUSE_KEYS.timeoutPrefix, { limit: 500 })) {
      const rest = key.slice(PAUSE_KEYS.timeoutPrefix.length);
      const at = rest.slice(0, rest.indexOf("/"));
      const id = rest.slice(rest.indexOf("/") + 1);
      if (at > now) break;
      const checkpoint = (await store.get(PAUSE_KEYS.checkpoint(id))) as Checkpoint | undefined;
      const expired =
        checkpoint !== undefined &&
        checkpoint.expires_at === at &&
        (await store.putIfAbsent(PAUSE_KEYS.claim(id), "expired", { ttlMs: CLAIM_TTL_MS }));
      if (checkpoint !== undefined && expired) {
        await failToSink(
          transport,
          namespace,
          checkpoint.envelope,
          name,
          {
            type: "PauseExpired",
            message: `pause expired: no answer within ${checkpoint.pause.timeout_s} s`,
          },
          claimCheck,
        );
        await store.delete(PAUSE_KEYS.checkpoint(id));
        logger.info("pause expired", { envelope_id: id });
      }
      await store.delete(key);
    }
  };
  return withSweep(actor, sweep, options.sweepIntervalMs ?? 1_000, (error) =>
    logger.warn("pause sweep failed", { err: error.message }),
  );
}
