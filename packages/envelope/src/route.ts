import { assertActorName } from "./actor-name.js";
import { EnvelopeError } from "./envelope-error.js";
import type { Envelope } from "./schema.js";

/**
 * Advances the route once after `curr` succeeded (SPEC section 2): pushes `curr` onto `prev` and
 * shifts the first of `next` into `curr`; with `next` empty, `curr` becomes `""` (the route is
 * exhausted and the envelope belongs to `x-sink`). Pure: returns a new envelope and does not touch
 * `status` (use {@link stampStatus}).
 * @throws {EnvelopeError} `INVALID_ENVELOPE` when the route is already exhausted (`curr` is `""`).
 * @example
 * advanceRoute(envelope).route // { prev: ["prep", "infer"], curr: "post", next: ["store"] }
 */
export function advanceRoute(envelope: Envelope): Envelope {
  const { route } = envelope;
  if (route.curr === "") {
    throw new EnvelopeError(`cannot advance envelope ${envelope.id}: route.curr is "" (route exhausted)`, {
      code: "INVALID_ENVELOPE",
      path: ["route", "curr"],
    });
  }
  const [curr = "", ...next] = route.next;
  return { ...envelope, route: { ...route, prev: [...route.prev, route.curr], curr, next } };
}

/**
 * Whether the route is exhausted (`route.curr === ""`): the envelope is finished and belongs to
 * `x-sink`. An envelope whose `next` is empty but whose `curr` is set is not at the end yet: its
 * `curr` still has to run.
 */
export function isRouteEnd(envelope: Envelope): boolean {
  return envelope.route.curr === "";
}

/**
 * Replaces `route.next` (the only part of the route a handler may rewrite: replace, prepend, append,
 * splice, clear). `prev` and `curr` are forward-only history and stay as they are.
 * @throws {EnvelopeError} `INVALID_ACTOR_NAME` when an entry is not a DNS-1123 label.
 */
export function rewriteNext(envelope: Envelope, next: readonly string[]): Envelope {
  next.forEach((name, index) => {
    assertActorName(name, `route.next[${index}]`);
  });
  return { ...envelope, route: { ...envelope.route, next: [...next] } };
}
