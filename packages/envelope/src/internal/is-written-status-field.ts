import { statusPhaseSchema, statusReasonSchema } from "../schema.js";
import { isActorOrEmpty, isIntAtLeast, isStatusError } from "./is-envelope.js";
import { RFC_3339 } from "./patterns.js";

const phases: ReadonlySet<unknown> = new Set(statusPhaseSchema.options);
const reasons: ReadonlySet<unknown> = new Set(statusReasonSchema.options);

const isTimestamp = (value: unknown): boolean => typeof value === "string" && RFC_3339.test(value);

/**
 * Whether `statusOutputSchema.shape[key].safeParse(value)` would succeed, checked by hand for the
 * fields our runtime writes ("write strictly"): `phase` and `reason` from our lists, `actor` `""` or a
 * DNS-1123 label, 1-based counts, RFC 3339 times, an error block. `false` for any other key, so a
 * field added to the schema but not here is still checked (by zod) rather than waved through.
 * Property-tested against zod in `test/is-written-status-field.test.ts`.
 */
export function isWrittenStatusField(key: string, value: unknown): boolean {
  switch (key) {
    case "phase":
      return phases.has(value);
    case "reason":
      return value === undefined || reasons.has(value);
    case "actor":
      return value === undefined || isActorOrEmpty(value);
    case "attempt":
    case "max_attempts":
      return value === undefined || isIntAtLeast(value, 1);
    case "created_at":
    case "updated_at":
    case "deadline_at":
      return value === undefined || isTimestamp(value);
    case "error":
      return value === undefined || isStatusError(value);
    default:
      return false;
  }
}
