import type { Clock, Timers, Transport } from "@asya/transport";
import { ShutdownError } from "../errors.js";

/** Attribute carrying the absolute not-before time (epoch ms) of a delay longer than one hop. */
export const NOT_BEFORE_ATTRIBUTE = "x-asya-not-before";
/** Deliveries this close to their not-before time are processed rather than re-delayed. */
export const NOT_BEFORE_TOLERANCE_MS = 5;

/** Where a delayed publish gets its time, and what ends an in-process wait. */
export interface DelayContext {
  readonly clock: Clock;
  /** The actor's timer structure (on `clock`): an in-process wait is one entry in it. */
  readonly timer: Timers;
  /** Aborts an in-process wait (actor shutdown): the publish throws {@link ShutdownError}. */
  readonly signal: AbortSignal;
}

/**
 * Publishes with a delay of any length. This is the one layer that handles delays longer than the
 * transport's `capabilities.maxDelayMs` (transports reject those):
 * - up to `maxDelayMs`: one delayed publish;
 * - longer: the longest hop plus a not-before attribute; the receiving runtime re-delays it
 *   (see {@link remainingDelayMs}) without calling the handler, so nothing is held in process;
 * - `maxDelayMs` 0 (the transport cannot delay at all): the wait happens here, on the actor's
 *   clock, while the delivery stays unsettled; then it is published without delay.
 */
export async function publishDelayed(
  transport: Transport,
  queue: string,
  body: Uint8Array,
  attributes: Readonly<Record<string, string>>,
  delayMs: number,
  context: DelayContext,
): Promise<void> {
  // A previous hop's not-before is dropped; built key by key (`delete` would leave a slow object).
  const attrs: Record<string, string> = {};
  for (const key in attributes) {
    if (key !== NOT_BEFORE_ATTRIBUTE && Object.hasOwn(attributes, key))
      attrs[key] = attributes[key] as string;
  }
  const hopMs = transport.capabilities.maxDelayMs;
  if (delayMs > 0 && hopMs <= 0) await waitOn(context, delayMs);
  if (delayMs <= 0 || hopMs <= 0) {
    await transport.publish(queue, { body, attributes: attrs });
    return;
  }
  if (delayMs > hopMs) attrs[NOT_BEFORE_ATTRIBUTE] = String(context.clock.now() + delayMs);
  await transport.publish(queue, { body, attributes: attrs }, { delayMs: Math.min(delayMs, hopMs) });
}

/** Time left before a delivery may be processed (0 when it may run now). */
export function remainingDelayMs(attributes: Readonly<Record<string, string>>, nowMs: number): number {
  const raw = attributes[NOT_BEFORE_ATTRIBUTE];
  if (raw === undefined) return 0;
  const notBefore = Number(raw);
  if (!Number.isFinite(notBefore)) return 0;
  const remaining = notBefore - nowMs;
  return remaining > NOT_BEFORE_TOLERANCE_MS ? remaining : 0;
}

function waitOn({ timer, signal }: DelayContext, delayMs: number): Promise<void> {
  if (signal.aborted) return Promise.reject(new ShutdownError());
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      cancel();
      reject(new ShutdownError());
    };
    const cancel = timer.schedule(delayMs, () => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
