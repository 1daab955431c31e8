import type { z } from "zod";
import { EnvelopeError, formatPath } from "../envelope-error.js";

/**
 * The `INVALID_ENVELOPE` error for a failed `envelopeSchema.safeParse`: the first five issues in the
 * message, the first issue's path as `path`, every issue in `issues`.
 */
export function invalidEnvelope(error: z.ZodError): EnvelopeError {
  const issues = error.issues;
  const fieldOf = (issue: z.core.$ZodIssue) =>
    issue.path.map((part) => (typeof part === "symbol" ? String(part) : part));
  const summary = issues
    .slice(0, 5)
    .map((issue) => `${formatPath(fieldOf(issue))}: ${issue.message}`)
    .join("; ");
  const first = issues[0];
  return new EnvelopeError(`invalid envelope: ${summary}`, {
    code: "INVALID_ENVELOPE",
    path: first === undefined ? [] : fieldOf(first),
    issues,
  });
}
