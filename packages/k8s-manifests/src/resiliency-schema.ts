import { z } from "zod";
import { actorName, duration } from "./internal/primitives.js";

/** One named retry policy (SPEC section 4). Defaults are applied by the runtime, not here. */
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
    initialDelay: duration.optional().describe("First retry delay: ms or a duration string."),
    maxInterval: duration.optional().describe("Cap on a single retry delay."),
    jitter: z.boolean().optional().describe("Multiply each delay by a uniform factor in [0.5, 1.5)."),
    maxDuration: duration.optional().describe("Wall-clock budget measured from the first attempt."),
    onExhausted: z.array(actorName).optional().describe("Actors to route to when the policy is exhausted."),
    thenRoute: z.array(actorName).optional().describe("Alias of onExhausted."),
  })
  .describe("A named retry policy.");

/** One ordered error rule: the first rule whose pattern matches the error's type or MRO wins. */
export const resiliencyRuleSchema = z.strictObject({
  errors: z.array(z.string().min(1)).min(1).describe("Error type patterns; 'Error' matches everything."),
  policy: z.string().min(1).describe("Name of the policy in `policies`."),
});

/** Per-actor resiliency, exactly the runtime's shape (SPEC section 4). */
export const resiliencySchema = z
  .strictObject({
    actorTimeout: duration.optional().describe("Per-call handler timeout (runtime default 5m)."),
    timeout: z
      .strictObject({ actor: duration.optional().describe("Same as actorTimeout.") })
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
    for (const [index, rule] of (value.rules ?? []).entries()) {
      if (value.policies?.[rule.policy] === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["rules", index, "policy"],
          message: `unknown policy "${rule.policy}" (not in resiliency.policies)`,
        });
      }
    }
  });

/** Resiliency settings of an AsyncActor. */
export type ResiliencySpec = z.output<typeof resiliencySchema>;
/** A named retry policy. */
export type RetryPolicySpec = z.output<typeof retryPolicySchema>;
