import { TransportError } from "./transport-error.js";

/**
 * Validates a publish `delayMs` against the transport's `capabilities.maxDelayMs` and returns it
 * (0 when absent). Transports call it before publishing so that a delay they cannot honour is
 * refused rather than delivered early.
 *
 * @throws TransportError `INVALID_ARGUMENT` (field `delayMs`) when the delay is not a finite number
 * >= 0 or exceeds `maxDelayMs`.
 */
export function checkDelayMs(transport: string, delayMs: number | undefined, maxDelayMs: number): number {
  if (delayMs === undefined) return 0;
  if (typeof delayMs !== "number" || !Number.isFinite(delayMs) || delayMs < 0) {
    throw new TransportError(`delayMs must be a finite number >= 0, got ${String(delayMs)}`, {
      code: "INVALID_ARGUMENT",
      retryable: false,
      transport,
      field: "delayMs",
    });
  }
  if (delayMs > maxDelayMs) {
    const limit =
      maxDelayMs === 0 ? "this transport cannot delay a publish" : `the longest delay is ${maxDelayMs} ms`;
    throw new TransportError(`delayMs ${delayMs} is too long: ${limit} (capabilities.maxDelayMs)`, {
      code: "INVALID_ARGUMENT",
      retryable: false,
      transport,
      field: "delayMs",
    });
  }
  return delayMs;
}
