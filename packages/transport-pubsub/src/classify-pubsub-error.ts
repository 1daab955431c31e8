import { TransportError, type TransportErrorCode } from "@asya/transport";

const TRANSPORT = "pubsub";

/** gRPC status code names by number (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
const GRPC_NAMES = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
] as const;

type Mapping = readonly [TransportErrorCode, boolean];

/** gRPC status (also the `AckError.errorCode` names of exactly-once subscriptions) -> code + retryable. */
const BY_STATUS: Readonly<Record<string, Mapping>> = {
  UNAVAILABLE: ["CONNECTION", true],
  DEADLINE_EXCEEDED: ["TIMEOUT", true],
  RESOURCE_EXHAUSTED: ["THROTTLED", true],
  ABORTED: ["CONNECTION", true],
  INTERNAL: ["UNKNOWN", true],
  UNKNOWN: ["UNKNOWN", true],
  CANCELLED: ["ABORTED", true],
  NOT_FOUND: ["NOT_FOUND", false],
  PERMISSION_DENIED: ["ACCESS_DENIED", false],
  UNAUTHENTICATED: ["ACCESS_DENIED", false],
  INVALID_ARGUMENT: ["INVALID_ARGUMENT", false],
  OUT_OF_RANGE: ["INVALID_ARGUMENT", false],
  FAILED_PRECONDITION: ["PRECONDITION_FAILED", false],
  ALREADY_EXISTS: ["PRECONDITION_FAILED", false],
  UNIMPLEMENTED: ["INVALID_ARGUMENT", false],
  DATA_LOSS: ["UNKNOWN", false],
  // Exactly-once ack responses: an invalid ack id means the lease is gone; OTHER is transient.
  INVALID: ["PRECONDITION_FAILED", false],
  OTHER: ["UNKNOWN", true],
};

/** Node socket errors that mean the endpoint is (temporarily) unreachable. */
const NETWORK_ERRNOS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

const TOO_LARGE_PATTERN = /(exceeds|too large|size limit|payload size)/i;

/**
 * Sorts an error from `@google-cloud/pubsub` (gRPC `ServiceError`, exactly-once `AckError`, socket
 * errors) into a {@link TransportError}: UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED,
 * INTERNAL and UNKNOWN are retryable; NOT_FOUND, PERMISSION_DENIED, UNAUTHENTICATED,
 * INVALID_ARGUMENT, FAILED_PRECONDITION are not. A `TransportError` is returned unchanged.
 *
 * @param error - anything thrown by the SDK.
 * @param context - what was being done, e.g. `publish to asya-foo` (goes into the message).
 * @example
 * ```ts
 * try { await transport.publish(queue, message); }
 * catch (error) { if (classifyPubSubError(error).retryable) scheduleRetry(); }
 * ```
 */
export function classifyPubSubError(error: unknown, context?: string): TransportError {
  if (error instanceof TransportError) return error;
  const prefix = context === undefined ? "" : `${context}: `;
  const status = statusName(error);
  const detail = errorDetail(error);
  if (status !== undefined) {
    const mapping = BY_STATUS[status] ?? (["UNKNOWN", false] as const);
    const [code, retryable] =
      status === "INVALID_ARGUMENT" && TOO_LARGE_PATTERN.test(detail)
        ? (["TOO_LARGE", false] as const)
        : mapping;
    return new TransportError(`${prefix}${status}: ${detail}`, {
      code,
      retryable,
      transport: TRANSPORT,
      cause: error,
    });
  }
  const errno = stringField(error, "code");
  if (errno !== undefined && NETWORK_ERRNOS.has(errno)) {
    return new TransportError(`${prefix}${errno}: ${detail}`, {
      code: "CONNECTION",
      retryable: true,
      transport: TRANSPORT,
      cause: error,
    });
  }
  if (error instanceof Error && error.name === "AbortError") {
    return new TransportError(`${prefix}aborted`, {
      code: "ABORTED",
      retryable: false,
      transport: TRANSPORT,
      cause: error,
    });
  }
  return new TransportError(`${prefix}${detail}`, {
    code: "UNKNOWN",
    retryable: false,
    transport: TRANSPORT,
    cause: error,
  });
}

/** The gRPC status name of an SDK error, from a numeric `code`, a string `code` or `errorCode`. */
function statusName(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code: unknown = (error as { code?: unknown }).code;
  if (typeof code === "number" && Number.isInteger(code)) return GRPC_NAMES[code] ?? "UNKNOWN";
  if (typeof code === "string" && code in BY_STATUS) return code;
  const ackCode = stringField(error, "errorCode");
  if (ackCode !== undefined && ackCode in BY_STATUS) return ackCode;
  return undefined;
}

function stringField(error: unknown, field: string): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const value: unknown = (error as Record<string, unknown>)[field];
  return typeof value === "string" ? value : undefined;
}

function errorDetail(error: unknown): string {
  const details = stringField(error, "details");
  if (details !== undefined && details !== "") return details;
  if (error instanceof Error) return error.message.replace(/^\d+ [A-Z_]+: /, "");
  return String(error);
}
