import { TransportError, type TransportErrorCode } from "@asya/transport";
import { redactSecrets } from "./redact.js";

/** Transport name used in error messages and logs. */
export const RABBITMQ_TRANSPORT_NAME = "rabbitmq";

interface Mapping {
  readonly code: TransportErrorCode;
  readonly retryable: boolean;
}

// AMQP 0-9-1 reply codes (spec section 1.9). Soft (channel) errors are 3xx/4xx, hard
// (connection) errors 5xx; 320 CONNECTION_FORCED is what a broker shutdown sends.
const REPLY_CODES: Readonly<Record<number, Mapping>> = {
  200: { code: "CONNECTION", retryable: true },
  311: { code: "TOO_LARGE", retryable: false },
  312: { code: "UNROUTABLE", retryable: true },
  313: { code: "UNROUTABLE", retryable: true },
  320: { code: "CONNECTION", retryable: true },
  403: { code: "ACCESS_DENIED", retryable: false },
  404: { code: "NOT_FOUND", retryable: false },
  405: { code: "PRECONDITION_FAILED", retryable: true },
  406: { code: "PRECONDITION_FAILED", retryable: false },
  501: { code: "UNKNOWN", retryable: false },
  502: { code: "UNKNOWN", retryable: false },
  503: { code: "UNKNOWN", retryable: false },
  504: { code: "UNKNOWN", retryable: false },
  505: { code: "UNKNOWN", retryable: false },
  506: { code: "THROTTLED", retryable: true },
  530: { code: "ACCESS_DENIED", retryable: false },
  540: { code: "UNKNOWN", retryable: false },
  541: { code: "UNKNOWN", retryable: true },
};

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ERR_SOCKET_CLOSED",
]);

const MESSAGE_PATTERNS: ReadonlyArray<readonly [RegExp, Mapping]> = [
  [/ACCESS[-_]REFUSED|\b403\b/, { code: "ACCESS_DENIED", retryable: false }],
  [/NOT[-_]FOUND|\b404\b/, { code: "NOT_FOUND", retryable: false }],
  [/PRECONDITION[-_]FAILED|\b406\b/, { code: "PRECONDITION_FAILED", retryable: false }],
  [/CONNECTION[-_]FORCED|\b320\b/, { code: "CONNECTION", retryable: true }],
  [
    /heartbeat timeout|socket closed|connection closed|channel closed|channel ended/i,
    { code: "CONNECTION", retryable: true },
  ],
  [/message nacked/i, { code: "THROTTLED", retryable: true }],
];

function field(error: unknown, key: string): unknown {
  return typeof error === "object" && error !== null ? (error as Record<string, unknown>)[key] : undefined;
}

function mappingFor(error: unknown, message: string): Mapping {
  const code = field(error, "code");
  if (typeof code === "number" && REPLY_CODES[code] !== undefined) return REPLY_CODES[code];
  if (typeof code === "string" && NETWORK_CODES.has(code)) return { code: "CONNECTION", retryable: true };
  if (field(error, "name") === "IllegalOperationError") return { code: "CONNECTION", retryable: true };
  if (field(error, "name") === "AbortError") return { code: "ABORTED", retryable: false };
  for (const [pattern, mapping] of MESSAGE_PATTERNS) if (pattern.test(message)) return mapping;
  return { code: "UNKNOWN", retryable: false };
}

/**
 * Maps an amqplib / broker / socket error to a {@link TransportError} with `code` and `retryable`
 * set: AMQP reply codes (404 NOT_FOUND, 403 ACCESS_REFUSED, 406 PRECONDITION_FAILED, 320
 * CONNECTION_FORCED, ...), Node socket errors (ECONNREFUSED, ECONNRESET, ... retryable CONNECTION),
 * amqplib's `IllegalOperationError` (channel/connection closed: retryable CONNECTION). A
 * `TransportError` is returned unchanged. Credentials are removed from the message; `secrets` lists
 * extra literal strings (e.g. the password) to scrub.
 *
 * @example
 * try { await channel.checkQueue("asya-x"); } catch (e) { throw classifyRabbitMqError(e); } // code NOT_FOUND
 */
export function classifyRabbitMqError(error: unknown, secrets: readonly string[] = []): TransportError {
  if (error instanceof TransportError) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const message = redactSecrets(raw, secrets);
  const mapping = mappingFor(error, message);
  // Keep the original error as cause unless its message had to be scrubbed.
  const cause = message === raw ? error : new Error(message);
  return new TransportError(message, { ...mapping, transport: RABBITMQ_TRANSPORT_NAME, cause });
}
