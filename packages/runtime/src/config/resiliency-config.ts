import { formatPath, isValidActorName } from "@asya/envelope";
import { z } from "zod";
import { RuntimeConfigError } from "../errors.js";
import { durationSchema } from "./duration.js";

/** Default per-call time limit: 5 minutes (as in Asya). */
export const DEFAULT_ACTOR_TIMEOUT_MS = 300_000;
/** Default first retry delay of a policy: 1 second. */
export const DEFAULT_INITIAL_DELAY_MS = 1_000;

/** Backoff kinds (SPEC section 4). */
export type BackoffKind = "exponential" | "constant" | "linear";

const actorList = z.array(
  z.string().refine(isValidActorName, { error: "must be an actor name (DNS-1123 label)" }),
);

const policySchema = z
  .object({
    maxAttempts: z.number().int().min(1).optional(),
    backoff: z.enum(["exponential", "constant", "linear"]).optional(),
    initialDelay: durationSchema.optional(),
    maxInterval: durationSchema.optional(),
    jitter: z.boolean().optional(),
    maxDuration: durationSchema.optional(),
    onExhausted: actorList.optional(),
    thenRoute: actorList.optional(),
  })
  .strict();

const ruleSchema = z
  .object({ errors: z.array(z.string().min(1)).min(1), policy: z.string().min(1) })
  .strict();

/** Zod schema of the resiliency input: exactly SPEC section 4's shape (same as the AsyncActor CRD). */
export const resiliencyInputSchema = z
  .object({
    actorTimeout: durationSchema.optional(),
    timeout: z.object({ actor: durationSchema.optional() }).optional(),
    policies: z.record(z.string(), policySchema).optional(),
    rules: z.array(ruleSchema).optional(),
  })
  .strict();

/** One policy as written by users (durations as ms numbers or `"2s"` strings). */
export interface RetryPolicyInput {
  /** Total attempts including the first. @default 1 */
  readonly maxAttempts?: number;
  /** @default "exponential" */
  readonly backoff?: BackoffKind;
  /** @default "1s" */
  readonly initialDelay?: number | string;
  /** Cap on one delay. @default none */
  readonly maxInterval?: number | string;
  /** Multiply delays by a uniform factor in [0.5, 1.5). @default false */
  readonly jitter?: boolean;
  /** Budget measured from `x-asya-first-attempt`. @default none */
  readonly maxDuration?: number | string;
  /** Actors to route to when exhausted. @default none (x-sink, PolicyExhausted) */
  readonly onExhausted?: readonly string[];
  /** Alias of `onExhausted`. */
  readonly thenRoute?: readonly string[];
}

/** Resiliency configuration as written by users: SPEC section 4's shape (same as the AsyncActor CRD). */
export interface ResiliencyInput {
  /** Per-call limit. @default "5m" */
  readonly actorTimeout?: number | string;
  /** Asya's spelling of `actorTimeout`. */
  readonly timeout?: { readonly actor?: number | string };
  readonly policies?: Readonly<Record<string, RetryPolicyInput>>;
  /** Ordered; first match wins. */
  readonly rules?: ReadonlyArray<{ readonly errors: readonly string[]; readonly policy: string }>;
}

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
  const parsed = resiliencyInputSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, path: issue?.path ?? [], message: issue?.message ?? "invalid" };
  }
  const value = parsed.data;
  const policies: Record<string, RetryPolicy> = {};
  for (const [name, policy] of Object.entries(value.policies ?? {})) {
    if (policy.onExhausted !== undefined && policy.thenRoute !== undefined) {
      return { ok: false, path: ["policies", name], message: "set onExhausted or thenRoute, not both" };
    }
    policies[name] = {
      name,
      maxAttempts: policy.maxAttempts ?? 1,
      backoff: policy.backoff ?? "exponential",
      initialDelayMs: policy.initialDelay ?? DEFAULT_INITIAL_DELAY_MS,
      maxIntervalMs: policy.maxInterval,
      jitter: policy.jitter ?? false,
      maxDurationMs: policy.maxDuration,
      onExhausted: policy.onExhausted ?? policy.thenRoute,
    };
  }
  const rules = value.rules ?? [];
  for (const [index, rule] of rules.entries()) {
    if (policies[rule.policy] === undefined) {
      const known = Object.keys(policies);
      return {
        ok: false,
        path: ["rules", index, "policy"],
        message: `unknown policy ${JSON.stringify(rule.policy)} (${known.length === 0 ? "no policies are defined" : `defined: ${known.join(", ")}`})`,
      };
    }
  }
  return {
    ok: true,
    config: {
      actorTimeoutMs: value.actorTimeout ?? value.timeout?.actor ?? DEFAULT_ACTOR_TIMEOUT_MS,
      policies,
      rules,
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
