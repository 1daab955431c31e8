import { TransportError, type TransportErrorCode } from "@asya/transport";

const THROTTLING = new Set([
  "ThrottlingException",
  "Throttling",
  "RequestThrottled",
  "TooManyRequestsException",
  "KmsThrottled",
  "OverLimit",
  "SlowDown",
]);
const NOT_FOUND = new Set([
  "QueueDoesNotExist",
  "AWS.SimpleQueueService.NonExistentQueue",
  "NonExistentQueue",
]);
const ACCESS_DENIED = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "InvalidSecurity",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "ExpiredTokenException",
  "MissingAuthenticationToken",
  "KmsAccessDenied",
  "KmsDisabled",
  "KmsNotFound",
  "CredentialsProviderError",
]);
const INVALID = new Set([
  "InvalidParameterValue",
  "InvalidParameterValueException",
  "InvalidAttributeName",
  "InvalidAttributeValue",
  "InvalidMessageContents",
  "MissingParameter",
  "InvalidBatchEntryId",
  "BatchEntryIdsNotDistinct",
  "TooManyEntriesInBatchRequest",
  "EmptyBatchRequest",
  "UnsupportedOperation",
  "InvalidAddress",
  "InvalidIdFormat",
  "ReceiptHandleIsInvalid",
  "MessageNotInflight",
  "ValidationError",
  "InvalidParameterCombination",
]);
const TOO_LARGE = new Set(["BatchRequestTooLong"]);
const PRECONDITION_RETRYABLE = new Set(["QueueDeletedRecently", "PurgeQueueInProgress"]);
const PRECONDITION = new Set(["QueueNameExists", "QueueAlreadyExists"]);
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ENETDOWN",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);
const TIMEOUT_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"]);
const TIMEOUT_CODES = new Set(["ETIMEDOUT", "ESOCKETTIMEDOUT"]);

interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly Code?: unknown;
  readonly message?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

/** The error's identifiers an SQS error can carry: SDK `name`, query-protocol `Code`, Node `code`. */
function identifiers(error: ErrorShape): string[] {
  const ids: string[] = [];
  for (const value of [error.name, error.Code, error.code]) {
    if (typeof value === "string" && value !== "") ids.push(value);
  }
  return ids;
}

function build(code: TransportErrorCode, retryable: boolean, detail: string, cause: unknown): TransportError {
  return new TransportError(detail, { code, retryable, transport: "sqs", cause });
}

/** What the SDK's default credential chain (Node) looks at, in order: named in the error, since the SDK does not say. */
export const CREDENTIAL_SOURCES =
  "The AWS SDK's default chain tried, in order: environment (AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY, " +
  "optional AWS_SESSION_TOKEN); SSO, credential_process and keys in the shared files ~/.aws/credentials " +
  'and ~/.aws/config (profile AWS_PROFILE, default "default"); web identity (AWS_WEB_IDENTITY_TOKEN_FILE + ' +
  "AWS_ROLE_ARN, as EKS IRSA sets); container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI or " +
  "_RELATIVE_URI, as ECS and EKS Pod Identity set); EC2 instance metadata (IMDS). Provide one of them " +
  "(emulators accept any keys), or pass a configured `client`";

/**
 * Maps an error raised by `@aws-sdk/client-sqs` (or the network below it) to a {@link TransportError}:
 * throttling, 5xx, timeouts and connection errors are retryable; a missing queue (`NOT_FOUND`), access
 * denied (`ACCESS_DENIED`), invalid parameters (`INVALID_ARGUMENT`) and oversized batches
 * (`TOO_LARGE`) are not. A `TransportError` is returned unchanged.
 *
 * @example
 * ```ts
 * try { await client.send(command); } catch (error) { throw classifySqsError(error); }
 * ```
 */
export function classifySqsError(error: unknown): TransportError {
  if (error instanceof TransportError) return error;
  if (typeof error !== "object" || error === null) {
    return build("UNKNOWN", false, `unexpected error: ${String(error)}`, error);
  }
  const shape = error as ErrorShape;
  const ids = identifiers(shape);
  const message = typeof shape.message === "string" ? shape.message : "";
  const label = ids[0] ?? "Error";
  const detail = message === "" ? label : `${label}: ${message}`;
  const has = (set: ReadonlySet<string>): boolean => ids.some((id) => set.has(id));

  if (ids.includes("AbortError")) return build("ABORTED", false, `aborted: ${detail}`, error);
  if (has(THROTTLING)) return build("THROTTLED", true, `throttled: ${detail}`, error);
  if (has(NOT_FOUND)) return build("NOT_FOUND", false, `queue not found: ${detail}`, error);
  if (ids.includes("CredentialsProviderError")) {
    return build("ACCESS_DENIED", false, `no AWS credentials: ${detail}. ${CREDENTIAL_SOURCES}`, error);
  }
  if (has(ACCESS_DENIED)) return build("ACCESS_DENIED", false, `access denied: ${detail}`, error);
  if (has(TOO_LARGE)) return build("TOO_LARGE", false, `request too large: ${detail}`, error);
  if (has(INVALID)) return build("INVALID_ARGUMENT", false, `invalid request: ${detail}`, error);
  if (has(PRECONDITION_RETRYABLE)) return build("PRECONDITION_FAILED", true, detail, error);
  if (has(PRECONDITION)) return build("PRECONDITION_FAILED", false, detail, error);
  if (has(TIMEOUT_NAMES) || has(TIMEOUT_CODES)) return build("TIMEOUT", true, `timed out: ${detail}`, error);
  if (has(NETWORK_CODES)) return build("CONNECTION", true, `connection failed: ${detail}`, error);

  const status = shape.$metadata?.httpStatusCode;
  if (shape.$fault === "server" || (typeof status === "number" && status >= 500)) {
    return build("UNKNOWN", true, `server error: ${detail}`, error);
  }
  if (typeof status === "number" && status === 403) return build("ACCESS_DENIED", false, detail, error);
  if (typeof status === "number" && status === 429) return build("THROTTLED", true, detail, error);
  if (shape.$fault === "client" || (typeof status === "number" && status >= 400)) {
    return build("INVALID_ARGUMENT", false, `request rejected: ${detail}`, error);
  }
  // No HTTP response at all: the request never reached SQS (socket errors without a code).
  if (shape.$metadata === undefined && /socket|network|connect/i.test(message)) {
    return build("CONNECTION", true, `connection failed: ${detail}`, error);
  }
  return build("UNKNOWN", false, detail, error);
}
