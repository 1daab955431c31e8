import { queueName } from "@asya/envelope";
import { dnsLabel } from "./internal/dns-name.js";
import { actorLabels } from "./internal/labels.js";
import type { KubernetesObject } from "./kubernetes-object.js";
import type { ActorRenderContext } from "./render-deployment.js";

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

interface TriggerParts {
  readonly type: string;
  readonly metadata: Record<string, string>;
  readonly auth: Record<string, unknown>;
}

function triggerParts(context: ActorRenderContext, queue: string): TriggerParts {
  const { transport, scaling } = context.actor.spec;
  const value = String(scaling.queueLength);
  if (transport.rabbitmq !== undefined) {
    const ref = transport.rabbitmq.urlSecretRef;
    return {
      type: "rabbitmq",
      metadata: { protocol: "amqp", queueName: queue, mode: "QueueLength", value },
      auth: { secretTargetRef: [{ parameter: "host", name: ref.name, key: ref.key }] },
    };
  }
  if (transport.sqs !== undefined) {
    const sqs = transport.sqs;
    const base = (sqs.endpoint ?? `https://sqs.${sqs.region}.amazonaws.com`).replace(/\/+$/, "");
    return {
      type: "aws-sqs-queue",
      metadata: {
        queueURL: `${base}/${sqs.accountId}/${queue}`,
        queueLength: value,
        awsRegion: sqs.region,
        ...(sqs.endpoint === undefined ? {} : { awsEndpoint: sqs.endpoint }),
      },
      // Pod identity only: with a roleArn the ServiceAccount carries it and KEDA assumes the workload's role.
      auth: {
        podIdentity:
          sqs.roleArn === undefined ? { provider: "aws" } : { provider: "aws", identityOwner: "workload" },
      },
    };
  }
  const pubsub = transport.pubsub!;
  const ref = pubsub.credentialsSecretRef;
  return {
    type: "gcp-pubsub",
    metadata: {
      subscriptionName: `projects/${pubsub.projectId}/subscriptions/${queue}`,
      mode: "SubscriptionSize",
      value,
    },
    auth:
      ref === undefined
        ? { podIdentity: { provider: "gcp" } }
        : { secretTargetRef: [{ parameter: "GoogleApplicationCredentials", name: ref.name, key: ref.key }] },
  };
}

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
  const parts = triggerParts(context, queue);
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
      spec: parts.auth,
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
