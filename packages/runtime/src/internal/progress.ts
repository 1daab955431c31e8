import { type Envelope, HEADER_GATEWAY_URL, HEADER_MESH_STATUS } from "@asya/envelope";
import type { Logger } from "../observability/logger.js";

/** Progress event kinds sent to the gateway. */
export type ProgressKind = "received" | "processing" | "completed" | "partial";

/**
 * Fire-and-forget progress event to the `x-asya-gateway-url` header's URL (http/https only), unless
 * `x-asya-mesh-status` is `"off"`. Failures are logged at debug level and never affect processing.
 */
export function reportProgress(
  envelope: Envelope,
  actor: string,
  kind: ProgressKind,
  partial: unknown,
  logger: Logger,
): void {
  const url = envelope.headers?.[HEADER_GATEWAY_URL];
  if (typeof url !== "string" || envelope.headers?.[HEADER_MESH_STATUS] === "off") return;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return;
  const body = JSON.stringify({
    id: envelope.id,
    actor,
    event: kind,
    ...(partial === undefined ? {} : { partial }),
    at: new Date().toISOString(),
  });
  fetch(parsed, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    signal: AbortSignal.timeout(5_000),
  }).then(
    (response) => void response.body?.cancel(),
    (error: unknown) => logger.debug("progress event not delivered", { err: error }),
  );
}
