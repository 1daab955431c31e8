/**
 * Machine-readable reason of a {@link StateStoreError}:
 * - `INVALID_CONFIG`: bad options or environment (also a backend refusing the credentials, a
 *   missing bucket or database); fix the configuration, do not retry.
 * - `INVALID_ARGUMENT`: a bad key, TTL, limit or value (also one the backend cannot store).
 * - `UNAVAILABLE`: the backend did not answer (connection refused, timeout, throttling); retryable.
 * - `BACKEND_ERROR`: the backend answered with an error of no other kind; not retried.
 * - `MISSING_DEPENDENCY`: the backend's SDK (an optional peer dependency) is not installed.
 * - `CLOSED`: the store was closed.
 */
export type StateStoreErrorCode =
  | "INVALID_CONFIG"
  | "INVALID_ARGUMENT"
  | "UNAVAILABLE"
  | "BACKEND_ERROR"
  | "MISSING_DEPENDENCY"
  | "CLOSED";

/** An error of a state store: bad configuration or input, or a backend that did not answer. */
export class StateStoreError extends Error {
  override readonly name = "StateStoreError";
  readonly code: StateStoreErrorCode;
  readonly retryable: boolean;
  /** The option, variable or argument at fault, when one is. */
  readonly field: string | undefined;

  constructor(
    message: string,
    options: { code: StateStoreErrorCode; retryable?: boolean; field?: string; cause?: unknown },
  ) {
    super(`[asya:state] ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.retryable = options.retryable ?? options.code === "UNAVAILABLE";
    this.field = options.field;
  }
}

/** Checks a key (non-empty, at most 512 characters). @throws StateStoreError `INVALID_ARGUMENT` */
export function checkKey(key: string): void {
  if (typeof key !== "string" || key.length === 0 || key.length > 512) {
    throw new StateStoreError(`a key is 1-512 characters, got ${JSON.stringify(String(key).slice(0, 40))}`, {
      code: "INVALID_ARGUMENT",
      field: "key",
    });
  }
}

/** Checks a TTL (a positive integer of ms). @throws StateStoreError `INVALID_ARGUMENT` */
export function checkTtl(ttlMs: number | undefined): void {
  if (ttlMs !== undefined && (!Number.isInteger(ttlMs) || ttlMs <= 0)) {
    throw new StateStoreError(`ttlMs must be a positive integer, got ${ttlMs}`, {
      code: "INVALID_ARGUMENT",
      field: "ttlMs",
    });
  }
}

/** Checks a `listByPrefix` limit (a non-negative integer). @throws StateStoreError `INVALID_ARGUMENT` */
export function checkLimit(limit: number | undefined): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new StateStoreError(`limit must be a non-negative integer, got ${limit}`, {
      code: "INVALID_ARGUMENT",
      field: "limit",
    });
  }
}
