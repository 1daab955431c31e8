import { StateStoreError } from "./state-error.js";

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: unknown;
}

/** Whether an S3 SDK error is an HTTP `status` answer (412 PreconditionFailed, 404 NotFound, ...). */
export function isS3Status(error: unknown, status: number): boolean {
  const sdk = error as SdkError | undefined;
  if (sdk?.$metadata?.httpStatusCode === status) return true;
  const byName: Record<number, readonly string[]> = {
    404: ["NotFound", "NoSuchKey"],
    409: ["ConditionalRequestConflict"],
    412: ["PreconditionFailed"],
  };
  return byName[status]?.includes(sdk?.name ?? "") ?? false;
}

const CONFIG_ERRORS = new Set([
  "NoSuchBucket",
  "AccessDenied",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "InvalidToken",
  "ExpiredToken",
  "CredentialsProviderError",
  "PermanentRedirect",
  "AuthorizationHeaderMalformed",
]);

/**
 * Sorts an S3 SDK error: no answer (connection refused, timeouts), throttling and 5xx are
 * `UNAVAILABLE` (retryable); a missing bucket, refused or missing credentials, a wrong region are
 * `INVALID_CONFIG`; an object too large is `INVALID_ARGUMENT`; anything else is `BACKEND_ERROR`.
 */
export function classifyS3Error(error: unknown, bucket: string): StateStoreError {
  if (error instanceof StateStoreError) return error;
  const sdk = error as SdkError | undefined;
  const name = sdk?.name ?? "";
  const status = sdk?.$metadata?.httpStatusCode;
  const message = `s3 bucket ${bucket}: ${name}${sdk?.message ? `: ${sdk.message}` : ""}`;
  if (CONFIG_ERRORS.has(name) || status === 403 || status === 301) {
    const field =
      name === "NoSuchBucket" ? "bucket" : name === "PermanentRedirect" ? "region" : "credentials";
    return new StateStoreError(message, { code: "INVALID_CONFIG", field, cause: error });
  }
  if (name === "EntityTooLarge")
    return new StateStoreError(message, { code: "INVALID_ARGUMENT", cause: error });
  const unavailable =
    (status !== undefined && (status >= 500 || status === 429)) ||
    status === undefined || // no HTTP answer at all: connection refused, reset, timed out
    sdk?.$retryable !== undefined ||
    /SlowDown|Throttl|Timeout|RequestTimeTooSkewed/.test(name);
  return new StateStoreError(message, { code: unavailable ? "UNAVAILABLE" : "BACKEND_ERROR", cause: error });
}
