import { TransportError } from "@asya/transport";
import { RABBITMQ_TRANSPORT_NAME } from "../classify-rabbitmq-error.js";

/** Exponential backoff with jitter in [0.5, 1.5), capped at `maxMs`. `attempt` starts at 0. */
export function backoffDelayMs(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random = Math.random,
): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.min(maxMs, Math.round(base * (0.5 + random())));
}

/** A TransportError with this adapter's name. */
export function rabbitError(
  message: string,
  code: TransportError["code"],
  retryable: boolean,
  cause?: unknown,
): TransportError {
  return new TransportError(message, {
    code,
    retryable,
    transport: RABBITMQ_TRANSPORT_NAME,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The `ABORTED` error for an aborted signal. */
export function abortedError(signal: AbortSignal): TransportError {
  return rabbitError("operation aborted", "ABORTED", false, signal.reason);
}

/**
 * Races `promise` against a deadline (epoch ms) and an abort signal. The loser is ignored, not
 * cancelled: callers use it around operations whose late completion is harmless.
 */
export function withDeadline<T>(
  promise: Promise<T>,
  deadline: number,
  signal: AbortSignal | undefined,
  what: string,
): Promise<T> {
  if (signal?.aborted) return Promise.reject(abortedError(signal));
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => finish(() => reject(rabbitError(`timed out ${what}`, "TIMEOUT", true))),
      Math.max(0, deadline - Date.now()),
    );
    const onAbort = (): void => finish(() => reject(abortedError(signal!)));
    signal?.addEventListener("abort", onAbort, { once: true });
    let done = false;
    function finish(settle: () => void): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      settle();
    }
    promise.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}

/** Resolves after `ms` (or immediately when the signal aborts). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
