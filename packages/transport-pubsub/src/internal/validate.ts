import type { ConsumeOptions } from "@asya/transport";
import { TransportError } from "@asya/transport";

function invalid(reason: string): never {
  throw new TransportError(reason, { code: "INVALID_ARGUMENT", retryable: false, transport: "pubsub" });
}

/**
 * Checks per-call consume options.
 *
 * @throws TransportError `INVALID_ARGUMENT`
 */
export function assertConsumeOptions(options: ConsumeOptions): void {
  const { concurrency, maxProcessingMs } = options;
  if (concurrency !== undefined && !(Number.isSafeInteger(concurrency) && concurrency >= 1)) {
    invalid(`concurrency must be a positive integer, got ${concurrency}`);
  }
  if (maxProcessingMs !== undefined && !(Number.isFinite(maxProcessingMs) && maxProcessingMs > 0)) {
    invalid(`maxProcessingMs must be a positive number, got ${maxProcessingMs}`);
  }
}
