import {
  DEFAULT_ACTOR_TIMEOUT_MS,
  DEFAULT_INITIAL_DELAY_MS,
  durationMs,
  formatPath,
  type ResiliencyInput,
  type RetryPolicyInput,
  resiliencySchema,
} from "@asya/envelope";
import { RuntimeConfigError } from "../errors.js";

export { DEFAULT_ACTOR_TIMEOUT_MS, DEFAULT_INITIAL_DELAY_MS };

/** Backoff kinds (SPEC section 4). */
export type BackoffKind = "exponential" | "constant" | "linear";

export type { ResiliencyInput, RetryPolicyInput };

/** One retry policy after normalisation (all durations in ms). */
export interface RetryPolicy {
  readonly name: string;
  /** Total attempts including the first. @default 1 */
  readonly maxAttempts: number;
  /** @default "exponential" */
  readonly backoff: BackoffKind;
  /** @default 1000 */
  readonly initialDelayMs: number;
  /** Cap on a single delay; `undefined` = no cap. */
  readonly maxIntervalMs: number | undefined;
  /** Multiply each delay by a uniform factor in [0.5, 1.5). @default false */
  readonly jitter: boolean;
  /** Wall-clock budget from `x-asya-first-attempt`; `undefined` = none. */
  readonly maxDurationMs: number | undefined;
  /** Actors to route to when exhausted (`thenRoute` alias); `undefined` = go to x-sink failed. */
  readonly onExhausted: readonly string[] | undefined;
}

/** An ordered error-matching rule. */
export interface ResiliencyRule {
  readonly errors: readonly string[];
  readonly policy: string;
}

/** Normalised resiliency configuration. */
export interface ResiliencyConfig {
  readonly actorTimeoutMs: number;
  readonly policies: Readonly<Record<string, RetryPolicy>>;
  readonly rules: readonly ResiliencyRule[];
}

/** Where and why a resiliency input is invalid. */
export interface ResiliencyProblem {
  /** Path inside the input, e.g. `["rules", 0, "policy"]`. */
  readonly path: ReadonlyArray<PropertyKey>;
  readonly message: string;
}

/** `["rules", 0, "policy"]` -> `rules[0].policy` (as envelope errors name fields); `""` for the root. */
export function pathText(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return "";
  return formatPath(path.map((key) => (typeof key === "number" ? key : String(key))));
}

/** Validates and normalises a resiliency input, returning the first problem instead of throwing. */
export function checkResiliency(
  input: unknown = {},
): { readonly ok: true; readonly config: ResiliencyConfig } | ({ readonly ok: false } & ResiliencyProblem) {
  // The shared schema (also the AsyncActor CRD's) checks shape and cross-references.
  const parsed = resiliencySchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, path: issue?.path ?? [], message: issue?.message ?? "invalid" };
  }
  const value = parsed.data;
  const ms = (duration: number | string | undefined): number | undefined =>
    duration === undefined ? undefined : durationMs(duration);
  const policies: Record<string, RetryPolicy> = {};
  for (const [name, policy] of Object.entries(value.policies ?? {})) {
    policies[name] = {
      name,
      maxAttempts: policy.maxAttempts ?? 1,
      backoff: policy.backoff ?? "exponential",
      initialDelayMs: ms(policy.initialDelay) ?? DEFAULT_INITIAL_DELAY_MS,
      maxIntervalMs: ms(policy.maxInterval),
      jitter: policy.jitter ?? false,
      maxDurationMs: ms(policy.maxDuration),
      onExhausted: policy.onExhausted ?? policy.thenRoute,
    };
  }
  return {
    ok: true,
    config: {
      actorTimeoutMs: ms(value.actorTimeout ?? value.timeout?.actor) ?? DEFAULT_ACTOR_TIMEOUT_MS,
      policies,
      rules: value.rules ?? [],
    },
  };
}

/**
 * Validates and normalises a resiliency input.
 *
 * @throws RuntimeConfigError code `INVALID_CONFIG` naming the offending field (prefixed with `source`).
 * @example resolveResiliency({ actorTimeout: "30s", policies: { default: { maxAttempts: 3 } } })
 */
export function resolveResiliency(input: unknown = {}, source = "resiliency"): ResiliencyConfig {
  const result = checkResiliency(input);
  if (result.ok) return result.config;
  const where = pathText(result.path);
  throw new RuntimeConfigError(`${source}${where === "" ? "" : `.${where}`}: ${result.message}`, {
    code: "INVALID_CONFIG",
    field: source,
    path: result.path,
    detail: result.message,
  });
}
