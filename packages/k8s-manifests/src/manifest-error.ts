/** Machine-readable reason of a {@link ManifestError}. */
export type ManifestErrorCode =
  /** The AsyncActor document failed schema validation; `issues` lists every bad field. */
  | "INVALID_SPEC"
  /** A rendered Kubernetes name is not DNS-1123 and cannot be made one. */
  | "INVALID_NAME"
  /** The input is not parseable YAML/JSON. */
  | "INVALID_YAML"
  /** A file could not be read or written. */
  | "IO_ERROR"
  /** The command line is malformed. */
  | "USAGE"
  /** The adapter package of the actor's transport (which renders its part) is not installed. */
  | "MISSING_ADAPTER";

/** One validation problem with the path of the offending field (e.g. `spec.scaling.maxReplicaCount`). */
export interface ManifestIssue {
  /** Dotted path of the bad field, array indices in brackets: `spec.env[2].name`. */
  readonly path: string;
  /** What is wrong with it. */
  readonly message: string;
}

/** Options of {@link ManifestError}. */
export interface ManifestErrorOptions {
  /** Machine-readable reason. */
  readonly code: ManifestErrorCode;
  /** Field-level problems, for `INVALID_SPEC`. */
  readonly issues?: readonly ManifestIssue[];
  /** Underlying error. */
  readonly cause?: unknown;
}

/**
 * The error thrown by every function of this package. Rendering is deterministic, so it is never
 * retryable. Messages start with `[asya:k8s-manifests]` and never contain secret values.
 */
export class ManifestError extends Error {
  override readonly name = "ManifestError";
  /** Machine-readable reason. */
  readonly code: ManifestErrorCode;
  /** Always `false`: the same input fails the same way. */
  readonly retryable = false;
  /** Field-level problems (empty unless `code` is `INVALID_SPEC`). */
  readonly issues: readonly ManifestIssue[];

  constructor(message: string, options: ManifestErrorOptions) {
    super(`[asya:k8s-manifests] ${message}`, options.cause === undefined ? {} : { cause: options.cause });
    this.code = options.code;
    this.issues = options.issues ?? [];
  }
}

/** Whether `error` is a {@link ManifestError}. */
export function isManifestError(error: unknown): error is ManifestError {
  return error instanceof ManifestError;
}
