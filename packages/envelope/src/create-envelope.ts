import { assertActorName } from "./actor-name.js";
import { assertSafeJson, validateEnvelope } from "./codec.js";
import { DEFAULT_MAX_ENVELOPE_DEPTH } from "./constants.js";
import { EnvelopeError } from "./envelope-error.js";
import type { Envelope, EnvelopeHeaders, Route, Status } from "./schema.js";

/** Input of {@link createEnvelope}. */
export interface CreateEnvelopeInput {
  /** @default crypto.randomUUID() */
  readonly id?: string;
  /** Actors in order (`curr` = first, `next` = the rest, `prev` = []), or a full route. */
  readonly route: readonly string[] | Route;
  /** Any JSON value; `null` is allowed, `undefined` is not. */
  readonly payload: unknown;
  readonly headers?: EnvelopeHeaders;
  readonly status?: Status;
  readonly parent_id?: string;
}

/**
 * Builds a new, validated envelope addressed to the first actor of its route.
 * @throws {EnvelopeError} `INVALID_ACTOR_NAME` for a bad actor in a route array; `FORBIDDEN_KEY` for
 *   a prototype-pollution key in payload or headers; `INVALID_ENVELOPE` when the result does not
 *   match the schema (empty route array, missing payload, ...).
 * @example
 * const envelope = createEnvelope({ route: ["prep", "infer"], payload: { text: "hi" } });
 * envelope.route // { prev: [], curr: "prep", next: ["infer"] }
 */
export function createEnvelope(input: CreateEnvelopeInput): Envelope {
  let route: Route;
  if (isActorList(input.route)) {
    input.route.forEach((name, index) => {
      assertActorName(name, `route[${index}]`);
    });
    const [curr, ...next] = input.route;
    if (curr === undefined) {
      throw new EnvelopeError("route must name at least one actor", {
        code: "INVALID_ENVELOPE",
        path: ["route"],
      });
    }
    route = { prev: [], curr, next };
  } else {
    route = input.route;
  }
  const envelope: Record<string, unknown> = { id: input.id ?? globalThis.crypto.randomUUID() };
  if (input.parent_id !== undefined) envelope.parent_id = input.parent_id;
  envelope.route = route;
  if (input.headers !== undefined) envelope.headers = input.headers;
  if (input.status !== undefined) envelope.status = input.status;
  envelope.payload = input.payload;
  assertSafeJson(envelope, DEFAULT_MAX_ENVELOPE_DEPTH);
  return validateEnvelope(envelope);
}

function isActorList(route: readonly string[] | Route): route is readonly string[] {
  return Array.isArray(route);
}
