import { formatPath } from "@asya/envelope";

/** Machine-readable runtime error codes. */
export type RuntimeErrorCode =
  | "INVALID_CONFIG"
  | "INVALID_DURATION"
  | "MISSING_ADAPTER"
  | "HANDLER_NOT_FOUND"
  | "PORT_IN_USE"
  | "NOT_STARTED"
  | "ALREADY_STARTED";

/** Options for {@link RuntimeConfigError}. */
export interface RuntimeErrorOptions {
  readonly code: RuntimeErrorCode;
  /** The environment variable or option that is wrong, when there is one. */
  readonly field?: string;
  /** Where inside the value (e.g. `["rules", 0, "policy"]`), when it is structured. */
  readonly path?: ReadonlyArray<PropertyKey>;
  /** What is wrong there, without the field and path (the message's last part). */
  readonly detail?: string;
  readonly cause?: unknown;
}

/** A configuration or setup error of the runtime. Never retryable; messages start with `[asya:runtime]`. */
export class RuntimeConfigError extends Error {
  override readonly name = "RuntimeConfigError";
  readonly code: RuntimeErrorCode;
  readonly retryable = false;
  readonly field: string | undefined;
  /** Where inside the field's value the problem is (`[]` when the field itself is wrong). */
  readonly path: ReadonlyArray<PropertyKey>;
  /** The problem, without field and path. */
  readonly detail: string;

  constructor(message: string, options: RuntimeErrorOptions) {
    super(`[asya:runtime] ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.field = options.field;
    this.path = options.path ?? [];
    this.detail = options.detail ?? message;
  }
}

/** The error a handler call fails with when its time limit (actor timeout or SLA deadline) expires. */
export class TimeoutError extends Error {
  override readonly name = "TimeoutError";
  readonly code = "TIMEOUT";
  readonly retryable = true;
  /** The limit that expired, in milliseconds. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(`[asya:runtime] handler timed out after ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** Abort reason used when the actor stops before an in-flight call finished; the message is redelivered. */
export class ShutdownError extends Error {
  override readonly name = "ShutdownError";
  readonly code = "SHUTDOWN";
  readonly retryable = true;

  constructor() {
    super("[asya:runtime] actor stopped before the handler finished; the message will be redelivered");
  }
}

/** A handler broke the control protocol (bad path, forbidden SET, malformed command). Never retried. */
export class HandlerProtocolError extends Error {
  override readonly name: string = "HandlerProtocolError";
  readonly code: string = "HANDLER_PROTOCOL";
  readonly retryable = false;
  constructor(message: string) {
    super(`[asya:runtime] ${message}`);
  }
}

/**
 * `GET` or `DEL` of a key that does not exist, or an index past the end (SPEC section 3; Asya's
 * runtime raises `KeyError` / `IndexError` there). A typo in a path is an error, not silent data loss.
 */
export class PathNotFoundError extends HandlerProtocolError {
  override readonly name = "PathNotFoundError";
  override readonly code = "PATH_NOT_FOUND";
}

/** One problem a payload schema found. */
export interface PayloadIssue {
  readonly path: ReadonlyArray<PropertyKey>;
  readonly message: string;
}

/**
 * The payload did not match the actor's `payloadSchema`: the handler was not called, and the
 * envelope is never retried (the same bytes would fail again). The message names the first field.
 */
export class PayloadValidationError extends Error {
  override readonly name = "PayloadValidationError";
  readonly code = "PAYLOAD_INVALID";
  readonly retryable = false;
  /** The first offending field, e.g. `items[2].price` (`(payload)` for the payload itself). */
  readonly field: string;
  readonly issues: readonly PayloadIssue[];

  constructor(issues: readonly PayloadIssue[]) {
    const first = issues[0];
    const field =
      first === undefined || first.path.length === 0
        ? "(payload)"
        : formatPath(first.path.map((key) => (typeof key === "number" ? key : String(key))));
    super(`[asya:runtime] invalid payload: ${field}: ${first?.message ?? "invalid"}`);
    this.field = field;
    this.issues = issues;
  }
}
