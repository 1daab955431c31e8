// Pieces of the pipe-through scenarios (consume A -> handler -> publish to B) shared by the broker
// benches: fresh actor/queue names with a seed envelope, and the hand-written "advance the route"
// step every raw baseline does.

import { randomBytes } from "node:crypto";
import { createEnvelope, queueName } from "@asya/envelope";

/** The route after one hop: `curr` moves to `prev`, the head of `next` becomes `curr`. */
export function advanceRoute(route) {
  return { prev: [...route.prev, route.curr], curr: route.next[0] ?? "", next: route.next.slice(1) };
}

/** What a hand-written service minimally does with an envelope's JSON text: parse, advance the route, serialize. */
export function forwardJson(text) {
  const envelope = JSON.parse(text);
  envelope.route = advanceRoute(envelope.route);
  return JSON.stringify(envelope);
}

/**
 * Fresh names for a two-actor pipe (`<prefix>-<tag>-a` -> `<prefix>-<tag>-b`, random 8-hex tag),
 * their queues, and an envelope addressed to A then B carrying `payload`.
 * Returns { tag, actorA, actorB, a, b, envelope }.
 */
export function freshPipe(prefix, payload) {
  const tag = randomBytes(4).toString("hex");
  const actorA = `${prefix}-${tag}-a`;
  const actorB = `${prefix}-${tag}-b`;
  const envelope = createEnvelope({
    id: `env-${tag}`,
    route: { prev: [], curr: actorA, next: [actorB] },
    payload,
  });
  return { tag, actorA, actorB, a: queueName(actorA), b: queueName(actorB), envelope };
}
