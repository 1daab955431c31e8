import type { Transport } from "@asya/transport";

/** Attribute carrying the absolute not-before time (epoch ms) of an emulated long delay. */
export const NOT_BEFORE_ATTRIBUTE = "x-asya-not-before";
/** Longest single hop used when the transport has no native delay (it emulates up to this much). */
export const EMULATED_DELAY_HOP_MS = 60_000;
/** Deliveries this close to their not-before time are processed rather than re-delayed. */
export const NOT_BEFORE_TOLERANCE_MS = 5;

/** Longest delay one publish may carry on this transport. */
export function maxHopDelayMs(transport: Transport): number {
  const { nativeDelay, maxDelayMs } = transport.capabilities;
  return nativeDelay && maxDelayMs > 0 ? maxDelayMs : EMULATED_DELAY_HOP_MS;
}

/**
 * Publishes with a delay of any length without holding anything in process: delays longer than
 * one hop are published with the longest hop and a not-before attribute, and the receiving runtime
 * re-delays them (see {@link remainingDelayMs}) without calling the handler.
 */
export async function publishDelayed(
  transport: Transport,
  queue: string,
  body: Uint8Array,
  attributes: Readonly<Record<string, string>>,
  delayMs: number,
  nowMs: number = Date.now(),
): Promise<void> {
  // A previous hop's not-before is dropped; built key by key (`delete` would leave a slow object).
  const attrs: Record<string, string> = {};
  for (const key in attributes) {
    if (key !== NOT_BEFORE_ATTRIBUTE && Object.hasOwn(attributes, key))
      attrs[key] = attributes[key] as string;
  }
  if (delayMs <= 0) {
    await transport.publish(queue, { body, attributes: attrs });
    return;
  }
  const hopMs = maxHopDelayMs(transport);
  if (delayMs > hopMs) attrs[NOT_BEFORE_ATTRIBUTE] = String(nowMs + delayMs);
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
