import type { z } from "zod";
import { EnvelopeError, formatPath } from "./envelope-error.js";
import { isWrittenStatusField } from "./internal/is-written-status-field.js";
import { copyStatusError } from "./internal/zod-copy.js";
import {
  type Envelope,
  type Status,
  type StatusError,
  type StatusPhase,
  type StatusReason,
  statusOutputSchema,
} from "./schema.js";

/**
 * Fields to set on `status`; a key explicitly set to `undefined` removes that field. Known fields take
 * only what our runtime writes (phase and reason from our lists, 1-based counts, RFC 3339 times).
 */
export type StatusPatch = {
  [K in keyof Status]?:
    | (K extends "phase" ? StatusPhase : K extends "reason" ? StatusReason : Status[K])
    | undefined;
};

/**
 * Returns a copy of the envelope with `patch` merged into `status`, `updated_at` set to `now` and
 * `created_at` kept (or set to `now` the first time). `deadline_at` is carried unchanged unless the
 * patch sets it. The patched fields are validated against {@link statusOutputSchema} (what we write);
 * the rest of `status` is carried as read.
 * @default now = new Date()
 * @throws {EnvelopeError} `INVALID_ENVELOPE` when the resulting status is invalid (e.g. no `phase`).
 * @example
 * stampStatus(envelope, { phase: "pending", actor: "post", attempt: 1 })
 */
export function stampStatus(envelope: Envelope, patch: StatusPatch, now: Date = new Date()): Envelope {
  const stamp = isoOf(now);
  const current = envelope.status as Record<string, unknown> | undefined;
  const changes = patch as Record<string, unknown>;
  // Spread, then patched in place (validated in patch order, so the first invalid field named is the
  // first one given); fields patched to `undefined` are left out by a filtered copy rather than
  // `delete`, which would leave a slow dictionary object. Key order: existing keys in place, new
  // ones after.
  let merged: Record<string, unknown> = current === undefined ? {} : { ...current };
  let removed: string[] | undefined;
  for (const key of Object.keys(changes)) {
    const value = changes[key];
    if (value === undefined) {
      if (Object.hasOwn(merged, key)) {
        removed ??= [];
        removed.push(key);
      }
      continue;
    }
    merged[key] = checked(key, value);
  }
  if (removed !== undefined) {
    const kept: Record<string, unknown> = {};
    for (const key of Object.keys(merged)) if (!removed.includes(key)) kept[key] = merged[key];
    merged = kept;
  }
  if (merged.phase === undefined) throw invalidStatus(["phase"], [], "a status needs a phase");
  merged.created_at = current?.created_at ?? patch.created_at ?? stamp;
  merged.updated_at = stamp;
  return { ...envelope, status: merged as Status };
}

/**
 * One patched field's value, validated (only the patched fields are: the rest of `status` came from
 * a parsed envelope or an earlier stamp).
 */
function checked(key: string, value: unknown): unknown {
  // The common case: a field we write, checked by hand; zod's result would be the value itself,
  // or, for `error`, its copy of the block.
  if (isWrittenStatusField(key, value))
    return key === "error" ? copyStatusError(value as StatusError) : value;
  // Anything else goes through zod as before: it names the problem, or passes unknown keys on.
  // Own keys only: a patch key like "toString" is a custom field, not Object.prototype's method.
  const field = Object.hasOwn(statusFields, key) ? statusFields[key] : undefined;
  if (field === undefined) return value;
  const result = field.safeParse(value);
  if (!result.success) throw invalidStatus([key], result.error.issues);
  return result.data;
}

// One ISO string per millisecond: a hop stamps twice, often within the same millisecond.
let lastStampMs = Number.NaN;
let lastStampIso = "";
function isoOf(now: Date): string {
  const ms = now.getTime();
  if (ms !== lastStampMs) {
    lastStampIso = now.toISOString();
    lastStampMs = ms;
  }
  return lastStampIso;
}

// Write strictly: every field we set is checked against the output schema.
const statusFields: Readonly<Record<string, z.ZodType | undefined>> = statusOutputSchema.shape;

function invalidStatus(
  at: readonly string[],
  issues: readonly z.core.$ZodIssue[],
  fallback = "invalid",
): EnvelopeError {
  const issue = issues[0];
  const path = [
    "status",
    ...at,
    ...(issue?.path ?? []).map((part) => (typeof part === "symbol" ? String(part) : part)),
  ];
  return new EnvelopeError(`invalid status: ${formatPath(path)}: ${issue?.message ?? fallback}`, {
    code: "INVALID_ENVELOPE",
    path,
    issues: [...issues],
  });
}
