import type { AsyncActor } from "../async-actor-schema.js";

/** Value of `app.kubernetes.io/managed-by` on everything this package renders. */
export const MANAGED_BY = "asya-k8s-manifests";

/** The immutable Deployment selector of an actor. */
export function selectorLabels(actor: AsyncActor, objectName: string): Record<string, string> {
  return { "app.kubernetes.io/instance": objectName, "app.kubernetes.io/name": actor.spec.actor };
}

/** Labels of every object rendered for an actor: the user's `metadata.labels`, then ours (ours win). */
export function actorLabels(actor: AsyncActor, objectName: string): Record<string, string> {
  return {
    ...actor.metadata.labels,
    ...selectorLabels(actor, objectName),
    "app.kubernetes.io/component": "actor",
    "app.kubernetes.io/part-of": "asya",
    "app.kubernetes.io/managed-by": MANAGED_BY,
    "asya.sh/actor": actor.spec.actor,
    "asya.sh/transport": actor.spec.transport.type,
  };
}
