import type { StatusError } from "@asya/envelope";

/**
 * The handler in the other process raised (SPEC section 9: `500 processing_error`, or an SSE
 * `error` event). Carries the remote `type` and `mro` (Python names such as `ZeroDivisionError`,
 * `mymodule.RateLimit`), so resiliency rules and `status.error` see them as they are.
 */
export class RemoteHandlerError extends Error {
  override readonly name: string;
  readonly code = "REMOTE_HANDLER_ERROR";
  /** The actor's resiliency rules decide (they match `type` and `mro`). */
  readonly retryable = true;
  /** Frames streamed before the error are dispatched (SPEC section 9); the error then goes through the policies. */
  readonly dispatchPartialOutputs = true;
  /** The error as `status.error` records it. */
  readonly statusError: StatusError;

  constructor(remote: { type?: unknown; mro?: unknown; message?: unknown; traceback?: unknown }) {
    const type = typeof remote.type === "string" && remote.type !== "" ? remote.type : "RemoteHandlerError";
    super(typeof remote.message === "string" ? remote.message : "the handler failed");
    this.name = type;
    this.statusError = {
      type,
      mro: Array.isArray(remote.mro)
        ? remote.mro.filter((name): name is string => typeof name === "string")
        : [],
      message: this.message,
      traceback: typeof remote.traceback === "string" ? remote.traceback : "",
    };
  }
}

/**
 * The runtime process is not there (connect refused, socket missing, busy past the call's limit)
 * or went away mid-call: not the handler's failure. The message is left for redelivery.
 */
export class HandlerUnavailableError extends Error {
  override readonly name = "HandlerUnavailableError";
  readonly code = "HANDLER_UNAVAILABLE";
  readonly retryable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(`[asya:runtime] ${message}`, options);
  }
}

/** The runtime answered something SPEC section 9 does not allow (a bad frame, an unknown status). */
export class RemoteProtocolError extends Error {
  override readonly name = "RemoteProtocolError";
  readonly code = "REMOTE_PROTOCOL";
  readonly retryable = false;

  constructor(message: string) {
    super(`[asya:runtime] ${message}`);
  }
}
