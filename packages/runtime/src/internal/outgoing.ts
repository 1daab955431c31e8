import {
  advanceRoute,
  assertActorName,
  type Envelope,
  HEADER_FIRST_ATTEMPT,
  HEADER_ROUTED_ERROR,
  rewriteNext,
  type StatusError,
  type StatusReason,
  stampStatus,
} from "@asya/envelope";
import type { Context } from "@opentelemetry/api";
import type { HandlerOutput } from "../handler-types.js";
import { injectTrace } from "../observability/tracing.js";
import { resolveActor, withRouteResolved } from "./route-override.js";

/** An envelope ready to publish and the actor whose queue it goes to. */
export interface Outgoing {
  readonly envelope: Envelope;
  /** Destination actor as the route names it (before route overrides). */
  readonly actor: string;
  /** The actor whose queue really gets it, when `x-asya-route-override` redirects it. */
  readonly target?: string;
  /** True when it goes to the sink (route exhausted or failed). */
  readonly terminal: boolean;
  /** The encoded envelope, when already encoded (see `encodeOutgoing`). */
  readonly body?: Uint8Array;
}

/** A copy without `x-asya-first-attempt` (built key by key: `delete` leaves a slow dictionary object). */
function withoutFirstAttempt(
  headers: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  if (headers === undefined) return copy;
  for (const key in headers) {
    if (key !== HEADER_FIRST_ATTEMPT && Object.hasOwn(headers, key)) copy[key] = headers[key];
  }
  return copy;
}

/**
 * The envelopes of a successful call (SPEC sections 2-3): one per output, ids per fan-out rule,
 * each advanced with `next` as it stood when emitted. With no output, the original envelope is
 * finished (route exhausted, payload unchanged).
 */
export function successEnvelopes(
  self: string,
  sink: string,
  working: Envelope,
  outputs: readonly HandlerOutput[],
  now: Date,
): Outgoing[] {
  if (outputs.length === 0) {
    const done: Envelope = {
      ...working,
      headers: withoutFirstAttempt(working.headers),
      route: { ...working.route, prev: [...working.route.prev, working.route.curr], curr: "" },
    };
    return [{ envelope: finish(done, self, now), actor: sink, terminal: true }];
  }
  return outputs.map((output, index) => {
    // A `next` the handler did not touch is the received one, already validated on parse.
    const next = output.next === working.route.next ? output.next : validActors(output.next);
    const [curr = "", ...rest] = next;
    // Built in one object (not spread after spread): the handler's status edits (custom fields,
    // SET .status.x) ride along and the stamps below win; a status the handler did not touch is
    // the received one.
    const status =
      output.status === working.status
        ? working.status
        : ({ ...output.status, phase: working.status?.phase ?? "processing" } as Envelope["status"]);
    const advanced: Envelope = {
      ...working,
      ...(index === 0 ? {} : { id: `${working.id}-${index}`, parent_id: working.id }),
      status,
      headers: withoutFirstAttempt(output.headers),
      route: { ...working.route, prev: [...working.route.prev, working.route.curr], curr, next: rest },
      payload: output.payload,
    };
    if (curr === "") return { envelope: finish(advanced, self, now), actor: sink, terminal: true };
    const pending = stampStatus(advanced, { phase: "pending", actor: curr, attempt: 1, ...CLEARED }, now);
    return { envelope: pending, actor: curr, terminal: false };
  });
}

/**
 * The route's `next` as a handler left it, checked and copied.
 * @throws EnvelopeError `INVALID_ACTOR_NAME` for a name that is not a DNS-1123 label.
 */
function validActors(next: readonly string[]): string[] {
  next.forEach((name, index) => {
    assertActorName(name, `route.next[${index}]`);
  });
  return [...next];
}

const CLEARED = { max_attempts: undefined, reason: undefined, error: undefined } as const;

function finish(envelope: Envelope, self: string, now: Date): Envelope {
  return stampStatus(
    envelope,
    { phase: "succeeded", reason: "Completed", actor: self, error: undefined },
    now,
  );
}

/** The retry copy: same actor, `attempt + 1`, phase `retrying`, `error` set. */
export function retryEnvelope(
  self: string,
  working: Envelope,
  error: StatusError,
  maxAttempts: number,
  now: Date,
): Envelope {
  const attempt = (working.status?.attempt ?? 1) + 1;
  return stampStatus(
    working,
    { phase: "retrying", actor: self, attempt, max_attempts: maxAttempts, error, reason: undefined },
    now,
  );
}

/** A failed terminal envelope for the sink (route kept as it was, payload unchanged). */
export function failedEnvelope(
  self: string,
  sink: string,
  envelope: Envelope,
  reason: StatusReason,
  error: StatusError | undefined,
  now: Date,
): Outgoing {
  const failed = stampStatus(
    { ...envelope, headers: withoutFirstAttempt(envelope.headers) },
    { phase: "failed", reason, actor: self, error },
    now,
  );
  return { envelope: failed, actor: sink, terminal: true };
}

/** A terminal envelope for the sink in `phase` (canceled / paused by pre-flight), route and payload unchanged. */
export function terminalEnvelope(
  self: string,
  sink: string,
  envelope: Envelope,
  phase: "canceled" | "paused",
  reason: StatusReason,
  now: Date,
): Outgoing {
  const stopped = stampStatus(
    { ...envelope, headers: withoutFirstAttempt(envelope.headers) },
    { phase, reason, actor: self },
    now,
  );
  return { envelope: stopped, actor: sink, terminal: true };
}

/** `onExhausted`: next = the given actors, advanced so the first of them is `curr`; phase failed. */
export function policyRoutedEnvelope(
  working: Envelope,
  onExhausted: readonly string[],
  error: StatusError,
  sink: string,
  now: Date,
): Outgoing {
  // The error rides along in a header: the next actor's receipt stamp clears status.error.
  const headers = { ...withoutFirstAttempt(working.headers), [HEADER_ROUTED_ERROR]: error };
  const routed = advanceRoute(rewriteNext({ ...working, headers }, onExhausted));
  const terminal = routed.route.curr === "";
  const stamped = stampStatus(
    routed,
    {
      phase: "failed",
      reason: "PolicyRouted",
      actor: terminal ? sink : routed.route.curr,
      attempt: 1,
      error,
    },
    now,
  );
  return { envelope: stamped, actor: terminal ? sink : routed.route.curr, terminal };
}

/**
 * The `traceparent`/`tracestate` headers of a span context, computed once per call for all its
 * outputs; `undefined` when no propagator writes any (no OpenTelemetry SDK): headers stay as they are.
 */
export function traceHeaders(traceCtx: Context): Readonly<Record<string, unknown>> | undefined {
  const headers: Record<string, unknown> = {};
  injectTrace(traceCtx, headers);
  return Object.keys(headers).length === 0 ? undefined : headers;
}

/** A copy of `out` carrying `trace` (from {@link traceHeaders}); `out` itself when there is none. */
export function withTraceHeaders(
  out: Outgoing,
  trace: Readonly<Record<string, unknown>> | undefined,
): Outgoing {
  if (trace === undefined) return out;
  const headers: Record<string, unknown> = { ...out.envelope.headers, ...trace };
  if (trace.tracestate === undefined) delete headers.tracestate;
  return { ...out, envelope: { ...out.envelope, headers } };
}

/**
 * Applies `x-asya-route-override` to a routed output (SPEC section 3): the queue of the mapped actor
 * gets it, the route keeps the logical name, and `x-asya-route-resolved` records `{target, by}`.
 */
export function withRouteOverride(out: Outgoing, self: string): Outgoing {
  if (out.terminal) return out;
  const target = resolveActor(out.actor, out.envelope.headers);
  if (target === out.actor) return out;
  const headers = withRouteResolved(out.envelope.headers ?? {}, out.actor, { target, by: self });
  return { ...out, target, envelope: { ...out.envelope, headers } };
}
