/**
 * Machine-readable transport error codes, with their usual `retryable`:
 * - `CLOSED` (false): the transport was closed (publish/consume after `close()`).
 * - `ABORTED` (false): the caller's `signal` aborted the operation.
 * - `TOO_LARGE` (false): body above `capabilities.maxMessageBytes` (checked before sending).
 * - `NOT_FOUND` (false), `ACCESS_DENIED` (false), `INVALID_ARGUMENT` (false),
 *   `PRECONDITION_FAILED` (false), `UNROUTABLE` (false): fix the call or the topology.
 * - `THROTTLED` (true), `CONNECTION` (true), `TIMEOUT` (true): try again later.
 * - `UNKNOWN`: the adapter's classifier decides.
 */
export type TransportErrorCode =
  | "CLOSED"
  | "ABORTED"
  | "TOO_LARGE"
  | "NOT_FOUND"
  | "ACCESS_DENIED"
  | "INVALID_ARGUMENT"
  | "PRECONDITION_FAILED"
  | "UNROUTABLE"
  | "THROTTLED"
  | "CONNECTION"
  | "TIMEOUT"
  | "UNKNOWN";

/** Options for {@link TransportError}. */
export interface TransportErrorOptions {
  readonly code: TransportErrorCode;
  /** Whether repeating the same operation later may succeed. */
  readonly retryable: boolean;
  /** The transport that raised it (`memory`, `rabbitmq`, `sqs`, `pubsub`). */
  readonly transport: string;
  /** The option or environment variable at fault, for configuration errors. */
  readonly field?: string;
  readonly cause?: unknown;
}

/**
 * Every error a transport throws. Messages start with `[asya:<transport>]` and never contain
 * credentials.
 */
export class TransportError extends Error {
  override readonly name = "TransportError";
  readonly code: TransportErrorCode;
  readonly retryable: boolean;
  readonly transport: string;
  /** The option or environment variable at fault, for configuration errors. */
  readonly field: string | undefined;

  constructor(message: string, options: TransportErrorOptions) {
    super(
      `[asya:${options.transport}] ${message}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = options.code;
    this.retryable = options.retryable;
    this.transport = options.transport;
    this.field = options.field;
  }
}

/** Type guard for {@link TransportError}. */
export function isTransportError(error: unknown): error is TransportError {
  return error instanceof TransportError;
}
