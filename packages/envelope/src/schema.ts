import { z } from "zod";
import { actorNameSchema } from "./actor-name.js";

/** `route.curr` / `status.actor`: an actor name, or `""` once the route is exhausted. */
const currSchema = z.string().regex(/^(?:|[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)$/, {
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

/** Lifecycle phases of `status.phase`. */
export const statusPhaseSchema = z.enum([
  "pending",
  "processing",
  "retrying",
  "succeeded",
  "failed",
  "paused",
  "canceled",
]);

/** Reasons of `status.reason`. */
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

/**
 * RFC 3339 date-time with a zone (`Z` or `+hh:mm`), any fraction digits; lower-case `t`/`z` and the
 * space separator RFC 3339 allows are accepted, so Go (`RFC3339Nano`) and Python (`isoformat()`) stamps
 * both parse.
 */
const RFC_3339 =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])[Tt ](?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const timestampSchema = z.string().regex(RFC_3339, { error: "must be an RFC 3339 date-time with a zone" });

/** `status`: the lifecycle stamp (SPEC section 1). Unknown keys are preserved. */
export const statusSchema = z.looseObject({
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
/** The lifecycle stamp of an envelope. */
export type Status = z.output<typeof statusSchema>;
/** One of the `status.phase` values. */
export type StatusPhase = z.output<typeof statusPhaseSchema>;
/** One of the `status.reason` values. */
export type StatusReason = z.output<typeof statusReasonSchema>;
/** The `status.error` block. */
export type StatusError = z.output<typeof statusErrorSchema>;
/** The `headers` object. */
export type EnvelopeHeaders = z.output<typeof headersSchema>;
