import type { z } from "zod";

/** Machine-readable envelope error codes. */
export type EnvelopeErrorCode =
  | "INVALID_JSON"
  | "INVALID_ENVELOPE"
  | "TOO_LARGE"
  | "FORBIDDEN_KEY"
  | "INVALID_ACTOR_NAME";

/** A path into the envelope, e.g. `["route", "next", 1]`. */
export type EnvelopePath = readonly (string | number)[];

/** Options for {@link EnvelopeError}. */
export interface EnvelopeErrorOptions {
  readonly code: EnvelopeErrorCode;
  /** Where in the envelope the problem is, when known. */
  readonly path?: EnvelopePath;
  /** The zod issues, for `INVALID_ENVELOPE`. */
  readonly issues?: readonly z.core.$ZodIssue[];
  readonly cause?: unknown;
}

/**
 * Every error this package throws. Messages start with `[asya:envelope]`. Envelope errors are never
 * retryable: the same bytes fail the same way every time.
 */
export class EnvelopeError extends Error {
  override readonly name = "EnvelopeError";
  readonly code: EnvelopeErrorCode;
  /** Always `false`: a malformed envelope stays malformed. */
  readonly retryable = false;
  readonly path?: EnvelopePath;
  readonly issues?: readonly z.core.$ZodIssue[];

  constructor(message: string, options: EnvelopeErrorOptions) {
    super(`[asya:envelope] ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    if (options.path !== undefined) this.path = options.path;
    if (options.issues !== undefined) this.issues = options.issues;
  }
}

/** Type guard for {@link EnvelopeError}. */
export function isEnvelopeError(error: unknown): error is EnvelopeError {
  return error instanceof EnvelopeError;
}

const MAX_PATH_CHARS = 160;

/**
 * Formats a path as the field name used in messages: `route.next[1]`, `payload["a.b"]`.
 * @example formatPath(["route", "curr"]) // "route.curr"
 */
export function formatPath(path: EnvelopePath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  if (out === "") return "(root)";
  // Deeply nested paths (e.g. a 10k-level array) would flood logs; keep the head and the tail.
  return out.length > MAX_PATH_CHARS ? `${out.slice(0, 60)}...${out.slice(-60)}` : out;
}
