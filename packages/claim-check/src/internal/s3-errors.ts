import { classifyS3Error as classifyForState } from "@asya/state";
import { ClaimCheckError, type ClaimCheckErrorCode } from "../claim-check-error.js";

interface SdkError {
  readonly name?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** Whether an S3 SDK error is the HTTP status `status`. */
export function isS3Status(error: unknown, status: number): boolean {
  return (error as SdkError | undefined)?.$metadata?.httpStatusCode === status;
}

/** Whether an S3 SDK error says the object (not the bucket) is missing. */
export function isS3NotFound(error: unknown): boolean {
  const name = (error as SdkError | undefined)?.name;
  if (name === "NoSuchBucket") return false;
  return name === "NotFound" || name === "NoSuchKey" || isS3Status(error, 404);
}

const CODES: Readonly<Record<string, ClaimCheckErrorCode>> = {
  INVALID_CONFIG: "INVALID_CONFIG",
  UNAVAILABLE: "UNAVAILABLE",
};

/**
 * Sorts an S3 SDK error as the state stores do (`classifyS3Error` of `@asya/state`): no answer,
 * throttling and 5xx are `UNAVAILABLE`; credentials, a missing bucket, a wrong region are
 * `INVALID_CONFIG` (naming the field); anything else is `BACKEND_ERROR`.
 */
export function classifyS3Error(error: unknown, bucket: string): ClaimCheckError {
  if (error instanceof ClaimCheckError) return error;
  const sorted = classifyForState(error, bucket);
  return new ClaimCheckError(sorted.message.replace(/^\[asya:state\] /, ""), {
    code: CODES[sorted.code] ?? "BACKEND_ERROR",
    ...(sorted.field === undefined ? {} : { field: sorted.field }),
    cause: error,
  });
}
