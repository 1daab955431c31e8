import { z } from "zod";
import { actorNameSchema } from "./actor-name.js";

/**
 * The one resiliency schema (SPEC section 4), shared by `@asya/runtime` (which normalises it) and
 * `@asya/k8s-manifests` (which puts it in the AsyncActor CRD and renders it into the variables
 * below). Defaults are applied by the runtime, not here.
 */

/** The runtime's default handler timeout: 5 minutes (as in Asya). */
export const DEFAULT_ACTOR_TIMEOUT_MS = 300_000;
/** The runtime's default first retry delay of a policy: 1 second. */
export const DEFAULT_INITIAL_DELAY_MS = 1_000;

/** Durations: integer milliseconds, or a string such as `"500ms"`, `"2s"`, `"1.5m"`, `"1h"`. */
export const DURATION_PATTERN = "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)?$";

const DURATION_REGEX = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)?$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A duration as written: integer milliseconds or a {@link DURATION_PATTERN} string. */
export const durationSchema = z.union([
  z.number().int().min(0),
  z.string().regex(new RegExp(DURATION_PATTERN), { error: 'must be milliseconds or a duration like "30s"' }),
]);

/**
 * Milliseconds of a duration (rounded to whole ms), or `undefined` when it is not one.
 * @example durationMs("1.5s") // 1500
 */
export function durationMs(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const match = DURATION_REGEX.exec(value);
  if (match === null) return undefined;
  return Math.round(Number(match[1]) * (UNIT_MS[match[2] ?? "ms"] ?? 1));
}

/** One named retry policy. */
export const retryPolicySchema = z
  .strictObject({
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("Total attempts including the first (runtime default 1 = no retry)."),
    backoff: z
      .enum(["exponential", "constant", "linear"])
      .optional()
      .describe("Delay growth between attempts."),
    initialDelay: durationSchema.optional().describe("First retry delay: ms or a duration string."),
    maxInterval: durationSchema.optional().describe("Cap on a single retry delay."),
    jitter: z.boolean().optional().describe("Multiply each delay by a uniform factor in [0.5, 1.5)."),
    maxDuration: durationSchema.optional().describe("Wall-clock budget measured from the first attempt."),
    onExhausted: z
      .array(actorNameSchema.max(63))
      .optional()
      .describe("Actors to route to when the policy is exhausted."),
    thenRoute: z.array(actorNameSchema.max(63)).optional().describe("Alias of onExhausted."),
  })
  .describe("A named retry policy.");

/** One ordered error rule: the first rule whose pattern matches the error's type or MRO wins. */
export const resiliencyRuleSchema = z.strictObject({
  errors: z.array(z.string().min(1)).min(1).describe("Error type patterns; 'Error' matches everything."),
  policy: z.string().min(1).describe("Name of the policy in `policies`."),
});

/** Per-actor resiliency: `actorTimeout` (or Asya's `timeout.actor`), named policies, ordered rules. */
export const resiliencySchema = z
  .strictObject({
    actorTimeout: durationSchema.optional().describe("Per-call handler timeout (runtime default 5m)."),
    timeout: z
      .strictObject({ actor: durationSchema.optional().describe("Same as actorTimeout.") })
      .optional()
      .describe("Asya's alternative spelling of actorTimeout."),
    policies: z.record(z.string(), retryPolicySchema).optional().describe("Named retry policies."),
    rules: z.array(resiliencyRuleSchema).optional().describe("Ordered error rules; first match wins."),
  })
  .superRefine((value, ctx) => {
    if (value.actorTimeout !== undefined && value.timeout?.actor !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["timeout", "actor"],
        message: "set actorTimeout or timeout.actor, not both",
      });
    }
    for (const [name, policy] of Object.entries(value.policies ?? {})) {
      if (policy.onExhausted !== undefined && policy.thenRoute !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["policies", name],
          message: "set onExhausted or thenRoute, not both",
        });
      }
    }
    const known = Object.keys(value.policies ?? {});
    for (const [index, rule] of (value.rules ?? []).entries()) {
      if (!known.includes(rule.policy)) {
        ctx.addIssue({
          code: "custom",
          path: ["rules", index, "policy"],
          message: `unknown policy ${JSON.stringify(rule.policy)} (${known.length === 0 ? "no policies are defined" : `defined: ${known.join(", ")}`})`,
        });
      }
    }
  });

/** `T` with every array and property read-only, so `as const` literals are accepted. */
type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** Resiliency settings as written (in code, in an AsyncActor, in the variables below). */
export type ResiliencyInput = DeepReadonly<z.input<typeof resiliencySchema>>;
/** One retry policy as written. */
export type RetryPolicyInput = DeepReadonly<z.input<typeof retryPolicySchema>>;

/**
 * The variables that carry resiliency into an actor's container: written by `@asya/k8s-manifests`,
 * read by `asya run`. Policies and rules are JSON; the timeout is a duration.
 */
export const RESILIENCY_ENV = Object.freeze({
  actorTimeout: "ASYA_RESILIENCY_ACTOR_TIMEOUT",
  policies: "ASYA_RESILIENCY_POLICIES",
  rules: "ASYA_RESILIENCY_RULES",
} as const);
