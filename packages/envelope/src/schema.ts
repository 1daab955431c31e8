import { z } from "zod";
import { actorNameSchema } from "./actor-name.js";
import { ACTOR_OR_EMPTY, RFC_3339 } from "./internal/patterns.js";

/** `route.curr` / `status.actor`: an actor name, or `""` once the route is exhausted. */
const currSchema = z.string().regex(ACTOR_OR_EMPTY, {
  error: "must be \"\" or a DNS-1123 label (a-z, 0-9, '-', at most 63)",
});

/**
 * The route: `prev` (actors that already handled the envelope, in order), `curr` (the actor it is
 * addressed to now, `""` once exhausted) and `next` (actors still to come). All three keys are
 * required; unknown keys are preserved.
 */
export const routeSchema = z.looseObject({
  prev: z.array(actorNameSchema),
  curr: currSchema,
  next: z.array(actorNameSchema),
});

/** Lifecycle phases our runtime writes into `status.phase` (SPEC section 1). */
export const statusPhaseSchema = z.enum([
  "pending",
  "processing",
  "retrying",
  "succeeded",
  "failed",
  "paused",
  "canceled",
]);

/** Reasons our runtime writes into `status.reason`. */
export const statusReasonSchema = z.enum([
  "Completed",
  "RuntimeError",
  "Timeout",
  "ParseError",
  "RouteMismatch",
  "PolicyExhausted",
  "PolicyRouted",
  "PreFlightCanceled",
  "PreFlightPaused",
]);

/** One of the `status.phase` values we write. */
export type StatusPhase = z.output<typeof statusPhaseSchema>;
/** One of the `status.reason` values we write. */
export type StatusReason = z.output<typeof statusReasonSchema>;

/**
 * `status.error`: `type` (class name), `mro` (ancestor class names, most specific first, without the
 * class itself and the root `Error`/`Object`), `message` and `traceback`. Unknown keys are preserved.
 */
export const statusErrorSchema = z.looseObject({
  type: z.string(),
  mro: z.array(z.string()).optional(),
  message: z.string(),
  traceback: z.string().optional(),
});

/** RFC 3339 date-time with a zone, as {@link RFC_3339} spells it. */
const timestampSchema = z.string().regex(RFC_3339, { error: "must be an RFC 3339 date-time with a zone" });

/** Go's `time.RFC3339` as `ParseDeadline` reads it: upper-case `T`, then `Z` or a numeric offset. */
const RFC_3339_INSTANT =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/**
 * The instant an RFC 3339 date-time names, in epoch ms, read exactly as Asya's Go sidecar reads
 * `deadline_at`; `undefined` for anything else (`"not-a-timestamp"`, `"1708862400"`, a space instead of
 * `T`, no zone), so a reader never guesses a local time, a unit or a deadline the other side ignores.
 */
export function parseRfc3339(value: unknown): number | undefined {
  if (typeof value !== "string" || !RFC_3339_INSTANT.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** A string whose type still offers the known values (for editors), while any string is accepted. */
const openString = <T extends string>(what: string) =>
  z.custom<T | (string & {})>((value) => typeof value === "string" && value !== "", {
    error: `${what} must be a non-empty string`,
  });

/**
 * `status` as we READ it (SPEC section 1, "read liberally"): what Asya's Go sidecar and Python runtime
 * write is accepted and carried through unchanged: any phase and reason string, Go zero values
 * (`attempt: 0`, `max_attempts: 0`: unknown), timestamps in any string form (an invalid `deadline_at`
 * means no SLA to the runtime). Unknown keys are preserved. What we write is {@link statusOutputSchema}.
 */
export const statusSchema = z.looseObject({
  phase: openString<StatusPhase>("status.phase"),
  actor: z.string().optional(),
  attempt: z.int().min(0).optional(),
  max_attempts: z.int().min(0).optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
  deadline_at: z.string().optional(),
  reason: openString<StatusReason>("status.reason").optional(),
  error: statusErrorSchema.optional(),
});

/**
 * `status` as our runtime WRITES it ("write strictly"): a phase and reason from our lists, 1-based
 * counts, RFC 3339 times, an actor name. `stampStatus` checks every field it sets against this.
 */
export const statusOutputSchema = z.looseObject({
  phase: statusPhaseSchema,
  actor: currSchema.optional(),
  attempt: z.int().min(1).optional(),
  max_attempts: z.int().min(1).optional(),
  created_at: timestampSchema.optional(),
  updated_at: timestampSchema.optional(),
  deadline_at: timestampSchema.optional(),
  reason: statusReasonSchema.optional(),
  error: statusErrorSchema.optional(),
});

/** `headers`: cross-cutting metadata, any JSON values, carried through. */
export const headersSchema = z.record(z.string(), z.unknown());

/**
 * The Asya envelope, the single source of truth for the wire format (SPEC section 1). Unknown
 * top-level fields are preserved so that a parse/serialize round trip is lossless.
 */
export const envelopeSchema = z.looseObject({
  id: z.string().min(1, { error: "id must be a non-empty string" }),
  parent_id: z.string().min(1).optional(),
  route: routeSchema,
  headers: headersSchema.optional(),
  status: statusSchema.optional(),
  // z.unknown() accepts a missing key; the envelope must carry a payload (null is fine).
  payload: z.unknown().refine((value): boolean => value !== undefined, { error: "payload is required" }),
});

/** A parsed, valid envelope. */
export type Envelope = z.output<typeof envelopeSchema>;
/** What {@link envelopeSchema} accepts (identical to {@link Envelope}: the schema has no transforms). */
export type EnvelopeInput = z.input<typeof envelopeSchema>;
/** The route of an envelope. */
export type Route = z.output<typeof routeSchema>;
/** The lifecycle stamp of an envelope, as read (any phase/reason string; see {@link statusSchema}). */
export type Status = z.output<typeof statusSchema>;
/** The `status.error` block. */
export type StatusError = z.output<typeof statusErrorSchema>;
/** The `headers` object. */
export type EnvelopeHeaders = z.output<typeof headersSchema>;
