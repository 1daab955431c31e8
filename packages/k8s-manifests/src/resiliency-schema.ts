import type { ResiliencyInput, RetryPolicyInput } from "@asya/envelope";

// One schema for the runtime and the manifests: it lives in @asya/envelope (SPEC section 4).
export { RESILIENCY_ENV, resiliencyRuleSchema, resiliencySchema, retryPolicySchema } from "@asya/envelope";

/** Resiliency settings of an AsyncActor (the runtime's own input type). */
export type ResiliencySpec = ResiliencyInput;
/** A named retry policy. */
export type RetryPolicySpec = RetryPolicyInput;
