import { EnvelopeError, formatPath } from "./envelope-error.js";
import { type Envelope, type Status, statusSchema } from "./schema.js";

/** Fields to set on `status`; a key explicitly set to `undefined` removes that field. */
export type StatusPatch = { [K in keyof Status]?: Status[K] | undefined };

/**
 * Returns a copy of the envelope with `patch` merged into `status`, `updated_at` set to `now` and
 * `created_at` kept (or set to `now` the first time). `deadline_at` is carried unchanged unless the
 * patch sets it. The result is validated.
 * @default now = new Date()
 * @throws {EnvelopeError} `INVALID_ENVELOPE` when the resulting status is invalid (e.g. no `phase`).
 * @example
 * stampStatus(envelope, { phase: "pending", actor: "post", attempt: 1 })
 */
export function stampStatus(envelope: Envelope, patch: StatusPatch, now: Date = new Date()): Envelope {
  const stamp = now.toISOString();
  const merged: Record<string, unknown> = { ...envelope.status };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete merged[key];
    else merged[key] = value;
  }
  merged.created_at = envelope.status?.created_at ?? patch.created_at ?? stamp;
  merged.updated_at = stamp;
  const result = statusSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = [
      "status",
      ...(issue?.path ?? []).map((part) => (typeof part === "symbol" ? String(part) : part)),
    ];
    throw new EnvelopeError(`invalid status: ${formatPath(path)}: ${issue?.message ?? "invalid"}`, {
      code: "INVALID_ENVELOPE",
      path,
      issues: result.error.issues,
    });
  }
  return { ...envelope, status: result.data };
}
