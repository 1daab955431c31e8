/** Machine-readable reason of a {@link GatewayError}. */
export type GatewayErrorCode = "INVALID_CONFIG" | "LISTEN_FAILED" | "STORE_UNAVAILABLE";

/** Errors of the gateway itself (configuration, start-up); request errors are JSON responses. */
export class GatewayError extends Error {
  override readonly name = "GatewayError";
  readonly code: GatewayErrorCode;
  readonly retryable: boolean;
  /** The option or variable at fault, when one is. */
  readonly field: string | undefined;

  constructor(
    message: string,
    options: { code: GatewayErrorCode; retryable?: boolean; field?: string; cause?: unknown },
  ) {
    super(`[asya:gateway] ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.retryable = options.retryable ?? false;
    this.field = options.field;
  }
}
