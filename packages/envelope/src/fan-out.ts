import type { Envelope } from "./schema.js";

/**
 * The `index`-th fan-out child of `parent` carrying `payload` (SPEC section 3): child 0 keeps the
 * parent's `id` (and `parent_id`); child `i > 0` gets id `"<id>-<i>"` and `parent_id = <id>`.
 * Deterministic, so a redelivered parent re-emits the same ids. The route is copied, not advanced.
 */
export function fanOutChild(parent: Envelope, payload: unknown, index: number): Envelope {
  const route = { ...parent.route, prev: [...parent.route.prev], next: [...parent.route.next] };
  const child: Envelope =
    index === 0
      ? { ...parent, route, payload }
      : { id: `${parent.id}-${index}`, parent_id: parent.id, ...withoutIds(parent), route, payload };
  if (parent.headers !== undefined) child.headers = { ...parent.headers };
  return child;
}

/**
 * One envelope per payload, ids per SPEC section 3 (see {@link fanOutChild}). Routes are copied as
 * they are; advance each child afterwards with the `next` that stood when its payload was emitted.
 * @example
 * fanOut(envelope, [a, b]).map((e) => e.id) // ["env-1", "env-1-1"]
 */
export function fanOut(envelope: Envelope, payloads: readonly unknown[]): Envelope[] {
  return payloads.map((payload, index) => fanOutChild(envelope, payload, index));
}

function withoutIds(envelope: Envelope): Omit<Envelope, "id" | "parent_id"> {
  const { id: _id, parent_id: _parentId, ...rest } = envelope;
  return rest;
}
