import type { ClaimCheck } from "@asya/claim-check";
import {
  DEFAULT_MAX_ENVELOPE_BYTES,
  type Envelope,
  encodeEnvelope,
  isRouteEnd,
  queueName,
  SINK_ACTOR,
  stampStatus,
} from "@asya/envelope";
import type { Transport } from "@asya/transport";
import type { ActorHandle } from "../internal/actor-host.js";

// What the stateful crew actors (x-pause, x-resume, fan-in) share.

/** Keys of the pause state (under the store's own prefix). */
export const PAUSE_KEYS = {
  checkpoint: (id: string) => `pause/checkpoint/${id}`,
  /** Index of pauses with a timeout, sortable by time: `pause/timeout/<iso>/<id>`. */
  timeout: (expiresAtIso: string, id: string) => `pause/timeout/${expiresAtIso}/${id}`,
  timeoutPrefix: "pause/timeout/",
  /** Who ended a pause (resume or expiry): created once, so only one of them acts. */
  claim: (id: string) => `pause/claim/${id}`,
} as const;

/** How long a claim marker outlives its pause (redelivered resumes are recognised meanwhile). */
export const CLAIM_TTL_MS = 7 * 24 * 3_600_000;

/**
 * The bytes to publish for `envelope`: its encoding, or with `claimCheck` and over its threshold
 * (the transport's limit and the receivers' default), the encoding of the claim-checked envelope.
 */
export async function encodeForWire(
  envelope: Envelope,
  transport: Transport,
  claimCheck: ClaimCheck | undefined,
): Promise<Uint8Array> {
  if (claimCheck === undefined) return encodeEnvelope(envelope);
  return claimCheck.encodeForWire(envelope, [
    transport.capabilities.maxMessageBytes,
    DEFAULT_MAX_ENVELOPE_BYTES,
  ]);
}

/** Publishes `envelope` to its `route.curr` (or to x-sink at the end of its route). */
export async function sendOn(
  transport: Transport,
  namespace: string | undefined,
  envelope: Envelope,
  claimCheck?: ClaimCheck,
) {
  const target = isRouteEnd(envelope) ? SINK_ACTOR : envelope.route.curr;
  await transport.publish(queueName(target, namespace), {
    body: await encodeForWire(envelope, transport, claimCheck),
  });
}

/** Ends `envelope` failed at x-sink with `error` (never a silent drop, never a crash loop). */
export async function failToSink(
  transport: Transport,
  namespace: string | undefined,
  envelope: Envelope,
  actor: string,
  error: { readonly type: string; readonly message: string },
  claimCheck?: ClaimCheck,
): Promise<void> {
  const failed = stampStatus(envelope, { phase: "failed", reason: "RuntimeError", actor, error });
  await transport.publish(queueName(SINK_ACTOR, namespace), {
    body: await encodeForWire(failed, transport, claimCheck),
  });
}

/**
 * `actor` with a periodic `sweep` (expired pauses, incomplete aggregations) while it runs: one at a
 * time, every `intervalMs`, a failure logged and tried again next time.
 */
export function withSweep(
  actor: ActorHandle,
  sweep: () => Promise<void>,
  intervalMs: number,
  onError: (error: Error) => void,
): ActorHandle {
  let timer: NodeJS.Timeout | undefined;
  let sweeping = false;
  return {
    ...actor,
    async start() {
      await actor.start();
      timer = setInterval(() => {
        if (sweeping) return;
        sweeping = true;
        sweep()
          .catch(onError)
          .finally(() => {
            sweeping = false;
          });
      }, intervalMs);
      timer.unref();
    },
    async stop(stopOptions) {
      clearInterval(timer);
      await actor.stop(stopOptions);
    },
  };
}
