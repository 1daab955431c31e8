import { DEFAULT_ACTOR_TIMEOUT_MS, durationMs } from "@asya/envelope";
import type { AsyncActor } from "./async-actor-schema.js";
import { secretMountParts } from "./internal/container-parts.js";
import { actorLabels, selectorLabels } from "./internal/labels.js";
import type { KubernetesObject } from "./kubernetes-object.js";
import { actorTimeoutOf, runtimeEnv } from "./runtime-env.js";
import { transportPartOf } from "./transport-kubernetes.js";

/** Name of the runtime container in every actor pod. */
export const RUNTIME_CONTAINER_NAME = "asya-runtime";
/** Seconds granted on top of the actor timeout to publish outputs, ack and exit after SIGTERM. */
export const DRAIN_MARGIN_SECONDS = 30;

/** Seconds between SIGTERM and SIGKILL: an in-flight call may run a full actor timeout, then drain. */
export function terminationGracePeriodSeconds(actor: AsyncActor): number {
  const timeout = actorTimeoutOf(actor.spec);
  const timeoutMs = (timeout === undefined ? undefined : durationMs(timeout)) ?? DEFAULT_ACTOR_TIMEOUT_MS;
  return Math.ceil(timeoutMs / 1000) + DRAIN_MARGIN_SECONDS;
}

/** Inputs shared by the renderers of one actor. */
export interface ActorRenderContext {
  readonly actor: AsyncActor;
  /** Name of the Deployment, ServiceAccount and ScaledObject. */
  readonly objectName: string;
  /** Kubernetes namespace of the rendered objects, when the AsyncActor has one. */
  readonly namespace: string | undefined;
  /** Mesh namespace used in queue names. */
  readonly meshNamespace: string | undefined;
}

/** The actor's Deployment: one runtime container, probes on the health server, drain-safe grace period. */
export function renderDeployment(context: ActorRenderContext): KubernetesObject {
  const { actor, objectName, namespace } = context;
  const spec = actor.spec;
  const labels = actorLabels(actor, objectName);
  const { kubernetes, settings } = transportPartOf(spec.transport);
  const secrets = secretMountParts(kubernetes.secretMounts(settings));
  const volumes = [...(spec.volumes ?? []), ...secrets.volumes];
  const volumeMounts = [...(spec.volumeMounts ?? []), ...secrets.volumeMounts];
  const probe = (path: string, periodSeconds: number) => ({
    httpGet: { path, port: "health" },
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold: 3,
  });
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: objectName, namespace, labels },
    spec: {
      // With KEDA the HPA owns the replica count; setting it here would fight every `kubectl apply`.
      replicas: spec.scaling.enabled ? undefined : spec.replicas,
      selector: { matchLabels: selectorLabels(actor, objectName) },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: objectName,
          terminationGracePeriodSeconds: terminationGracePeriodSeconds(actor),
          containers: [
            {
              name: RUNTIME_CONTAINER_NAME,
              image: spec.image,
              imagePullPolicy: spec.imagePullPolicy,
              env: runtimeEnv(spec, context.meshNamespace),
              ports: [{ name: "health", containerPort: spec.healthPort, protocol: "TCP" }],
              livenessProbe: probe("/healthz", 10),
              readinessProbe: probe("/readyz", 5),
              resources: spec.resources,
              volumeMounts: volumeMounts.length > 0 ? volumeMounts : undefined,
            },
          ],
          volumes: volumes.length > 0 ? volumes : undefined,
          nodeSelector: spec.nodeSelector,
          tolerations: spec.tolerations,
        },
      },
    },
  };
}
