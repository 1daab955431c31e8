import type { AsyncActor, AsyncActorInput } from "./async-actor-schema.js";
import { isDnsLabel } from "./internal/dns-name.js";
import { actorLabels } from "./internal/labels.js";
import { prune } from "./internal/plain.js";
import type { KubernetesObject } from "./kubernetes-object.js";
import { ManifestError } from "./manifest-error.js";
import { parseAsyncActor } from "./parse-async-actor.js";
import { type ActorRenderContext, renderDeployment } from "./render-deployment.js";
import { renderScaling } from "./render-scaling.js";
import { transportPartOf } from "./transport-kubernetes.js";

function renderServiceAccount(context: ActorRenderContext): KubernetesObject {
  const { actor, objectName, namespace } = context;
  const { kubernetes, settings } = transportPartOf(actor.spec.transport);
  const annotations = kubernetes.serviceAccountAnnotations(settings);
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: {
      name: objectName,
      namespace,
      labels: actorLabels(actor, objectName),
      annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
    },
  };
}

/**
 * Renders everything one actor needs, as plain objects in apply order: ServiceAccount, Deployment,
 * and (unless `scaling.enabled` is false) a KEDA TriggerAuthentication and ScaledObject. Queue
 * resources are not rendered: RabbitMQ actors declare theirs at start; SQS and Pub/Sub queues must
 * exist unless `spec.env` sets `ASYA_QUEUE_AUTO_CREATE=true`.
 * Object names are `metadata.name` (default `spec.actor`); queue names follow `queueName(actor,
 * namespace)` with `spec.namespace`, else `metadata.namespace`, as the mesh namespace.
 * @param asyncActor A parsed AsyncActor, or raw input (it is validated with the zod schema).
 * @throws {ManifestError} `INVALID_SPEC` when the input does not match the AsyncActor schema.
 * @example toYaml(renderActor(parseAsyncActorsYaml(text)[0]!))
 */
export function renderActor(asyncActor: AsyncActor | AsyncActorInput): KubernetesObject[] {
  const actor = parseAsyncActor(asyncActor);
  const objectName = actor.metadata.name ?? actor.spec.actor;
  if (!isDnsLabel(objectName)) {
    throw new ManifestError(`metadata.name ${JSON.stringify(objectName)} is not a DNS-1123 label`, {
      code: "INVALID_NAME",
    });
  }
  const context: ActorRenderContext = {
    actor,
    objectName,
    namespace: actor.metadata.namespace,
    meshNamespace: actor.spec.namespace ?? actor.metadata.namespace,
  };
  return prune([renderServiceAccount(context), renderDeployment(context), ...renderScaling(context)]);
}
