import { queueName } from "@asya/envelope";
import { dnsLabel } from "./internal/dns-name.js";
import { actorLabels } from "./internal/labels.js";
import type { KubernetesObject } from "./kubernetes-object.js";
import type { ActorRenderContext } from "./render-deployment.js";
import { transportPartOf } from "./transport-kubernetes.js";

/** HPA behaviour of every actor: scale up fast, scale down by one pod a minute after 5 minutes calm. */
export const ACTOR_HPA_BEHAVIOR = {
  scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] },
  scaleUp: {
    stabilizationWindowSeconds: 0,
    selectPolicy: "Max",
    policies: [
      { type: "Percent", value: 100, periodSeconds: 15 },
      { type: "Pods", value: 4, periodSeconds: 15 },
    ],
  },
} as const;

/** Name of the actor's KEDA TriggerAuthentication. */
export function triggerAuthenticationName(objectName: string): string {
  return dnsLabel(objectName, "trigger-auth");
}

/**
 * The KEDA `TriggerAuthentication` and `ScaledObject` of an actor (SPEC section 8), or nothing when
 * scaling is disabled. Credentials come from Secrets or pod identity, never inline.
 */
export function renderScaling(context: ActorRenderContext): KubernetesObject[] {
  const { actor, objectName, namespace } = context;
  const scaling = actor.spec.scaling;
  if (!scaling.enabled) return [];
  const labels = actorLabels(actor, objectName);
  const queue = queueName(actor.spec.actor, context.meshNamespace);
  // The adapter renders its scaler (SPEC section 8): metadata and how KEDA authenticates.
  const { kubernetes, settings } = transportPartOf(actor.spec.transport);
  const parts = kubernetes.kedaTrigger({ queue, queueLength: scaling.queueLength, settings });
  const authName = triggerAuthenticationName(objectName);
  const advanced = scaling.advanced;
  const modifiers =
    advanced?.formula === undefined
      ? undefined
      : {
          formula: advanced.formula,
          target: advanced.target,
          activationTarget: advanced.activationTarget,
          metricType: advanced.metricType,
        };
  return [
    {
      apiVersion: "keda.sh/v1alpha1",
      kind: "TriggerAuthentication",
      metadata: { name: authName, namespace, labels },
      spec: parts.authentication,
    },
    {
      apiVersion: "keda.sh/v1alpha1",
      kind: "ScaledObject",
      metadata: { name: objectName, namespace, labels },
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: objectName },
        minReplicaCount: scaling.minReplicaCount,
        maxReplicaCount: scaling.maxReplicaCount,
        pollingInterval: scaling.pollingInterval,
        cooldownPeriod: scaling.cooldownPeriod,
        advanced: {
          restoreToOriginalReplicaCount: advanced?.restoreToOriginalReplicaCount,
          horizontalPodAutoscalerConfig: { behavior: ACTOR_HPA_BEHAVIOR },
          scalingModifiers: modifiers,
        },
        triggers: [
          {
            type: parts.type,
            name: "queue",
            metadata: parts.metadata,
            authenticationRef: { name: authName },
          },
        ],
      },
    },
  ];
}
