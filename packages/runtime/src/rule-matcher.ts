import type { StatusError } from "@asya/envelope";
import type { ResiliencyConfig, RetryPolicy } from "./config/resiliency-config.js";

/**
 * True when `pattern` matches one of the candidates (error type + mro). A dotted pattern must equal
 * a candidate; a bare pattern matches a candidate's last dot-segment; `"Error"` matches everything.
 */
export function errorMatches(pattern: string, candidates: readonly string[]): boolean {
  if (pattern === "Error") return true;
  if (pattern.includes(".")) return candidates.includes(pattern);
  return candidates.some((candidate) => (candidate.split(".").pop() ?? candidate) === pattern);
}

/**
 * Picks the policy for an error: the first rule with a matching pattern wins; with no match,
 * `policies.default`; `undefined` when there is none (the envelope fails at once).
 */
export function selectPolicy(
  config: Pick<ResiliencyConfig, "policies" | "rules">,
  error: Pick<StatusError, "type" | "mro">,
): RetryPolicy | undefined {
  const candidates = [error.type, ...(error.mro ?? [])];
  for (const rule of config.rules) {
    if (rule.errors.some((pattern) => errorMatches(pattern, candidates))) return config.policies[rule.policy];
  }
  return config.policies.default;
}
