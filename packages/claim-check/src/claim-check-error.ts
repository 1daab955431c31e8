/**
 * Machine-readable reason of a {@link ClaimCheckError}:
 * - `NOT_FOUND`: the claimed object is not in the store (yet, or any more); retryable.
 * - `CORRUPT`: the object's size or sha256 differs from the claim, or it is not the payload's
 *   JSON; retryable (a store being repaired, a write still landing), then the policy's end.
 * - `UNAVAILABLE`: the store did not answer (connection refused, timeout, throttling); retryable.
 * - `FOREIGN_URI`: the claim names a bucket, prefix or directory outside the configured store;
 *   refused, never fetched.
 * - `INVALID_CLAIM`: the header is not `{uri, bytes, sha256, content_type}`, or the envelope has
 *   both a claim and a payload.
 * - `NOT_CONFIGURED`: an envelope carries a claim and this actor has no claim-check store.
 * - `INVALID_CONFIG`: bad options or environment (also a store refusing the credentials or a
 *   missing bucket); fix the configuration.
 * - `MISSING_DEPENDENCY`: the store's SDK (an optional peer dependency) is not installed.
 * - `BACKEND_ERROR`: the store answered with an error of no other kind.
 */
export type ClaimCheckErrorCode =
  | "NOT_FOUND"
  | "CORRUPT"
  | "UNAVAILABLE"
  | "FOREIGN_URI"
  | "INVALID_CLAIM"
  | "NOT_CONFIGURED"
  | "INVALID_CONFIG"
  | "MISSING_DEPENDENCY"
  | "BACKEND_ERROR";

const RETRYABLE: ReadonlySet<ClaimCheckErrorCode> = new Set(["NOT_FOUND", "CORRUPT", "UNAVAILABLE"]);

/** A claim that could not be stored or resolved; `retryable` says whether a retry may help. */
export class ClaimCheckError extends Error {
  override readonly name = "ClaimCheckError";
  readonly code: ClaimCheckErrorCode;
  readonly retryable: boolean;
  /** The option, variable or claim field at fault, when one is. */
  readonly field: string | undefined;

  constructor(
    message: string,
    options: { code: ClaimCheckErrorCode; retryable?: boolean; field?: string; cause?: unknown },
  ) {
    super(
      `[asya:claim-check] ${message}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = options.code;
    this.retryable = options.retryable ?? RETRYABLE.has(options.code);
    this.field = options.field;
  }
}
