import { createEnvelope, type Envelope, parseEnvelope } from "@asya/envelope";
import type { ReceivedMessage } from "@asya/transport";
import { remainingDelayMs } from "../delayed-publish.js";
import { rawBodyPayload, salvageId } from "../raw-body.js";

/** What the bytes of a delivery turned out to be. */
export type Decoded =
  | { readonly kind: "envelope"; readonly envelope: Envelope }
  /** An emulated long delay that is not over yet: re-delay the bytes, do not call the handler. */
  | { readonly kind: "deferred"; readonly remainingMs: number }
  | { readonly kind: "unparseable"; readonly error: unknown; readonly envelope: Envelope };

/** Stage 1: decode and validate the delivery (every message from the wire is validated). */
export function decode(message: ReceivedMessage, actor: string, maxBytes: number, nowMs: number): Decoded {
  const remainingMs = remainingDelayMs(message.attributes, nowMs);
  if (remainingMs > 0) return { kind: "deferred", remainingMs };
  try {
    return { kind: "envelope", envelope: parseEnvelope(message.body, { maxBytes }) };
  } catch (error) {
    // Kept whole (text or base64) so it can be inspected and replayed; never dropped.
    const envelope = createEnvelope({
      id: salvageId(message.body) ?? `unparseable-${message.id}`,
      route: { prev: [], curr: actor, next: [] },
      payload: { ...rawBodyPayload(message.body), queue: message.queue, message_id: message.id },
    });
    return { kind: "unparseable", error, envelope };
  }
}
