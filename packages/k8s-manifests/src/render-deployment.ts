import { DEFAULT_ACTOR_TIMEOUT_MS, durationMs } from "@asya/envelope";
import type { AsyncActor } from "./async-actor-schema.js";
import { secretMountParts } from "./internal/container-parts.js";
import { actorLabels, selectorLabels } from "./internal/labels.js";
import type { KubernetesObject } from "./kubernetes-object.js";
import { actorTimeoutOf, HANDLER_SOCKET_DIR, HANDLER_SOCKET_PATH, runtimeEnv } from "./runtime-env.js";
import { transportPartOf } from "./transport-kubernetes.js";

/** Name of the runtime container in every actor pod. */
export const RUNTIME_CONTAINER_NAME = "asya-runtime";
/** Name of the handler container of an actor with `runtime: external`. */
export const HANDLER_CONTAINER_NAME = "asya-handler";
const SOCKET_VOLUME = "asya-socket";
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
  const external = spec.runtime;
  // A handler container of its own: the socket lives in an emptyDir both containers mount.
  const socketVolume = external === undefined ? [] : [{ name: SOCKET_VOLUME, emptyDir: {} }];
  const socketMount = external === undefined ? [] : [{ name: SOCKET_VOLUME, mountPath: HANDLER_SOCKET_DIR }];
  const volumes = [...(spec.volumes ?? []), ...secrets.volumes, ...socketVolume];
  const volumeMounts = [...(spec.volumeMounts ?? []), ...secrets.volumeMounts, ...socketMount];
  const socketProbe = (ready: boolean, periodSeconds: number) => ({
    exec: {
      command: [
        "sh",
        "-c",
        ready
          ? `test -S ${HANDLER_SOCKET_PATH} && test -e ${HANDLER_SOCKET_DIR}/runtime-ready`
          : `test -S ${HANDLER_SOCKET_PATH}`,
      ],
    },
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold: 3,
  });
  const handlerContainers =
    external === undefined
      ? []
      : [
          {
            name: HANDLER_CONTAINER_NAME,
            image: external.image,
            imagePullPolicy: spec.imagePullPolicy,
            command: external.command,
            args: external.args,
            env: [
              { name: "ASYA_SOCKET_DIR", value: HANDLER_SOCKET_DIR },
              { name: "ASYA_SOCKET_NAME", value: "asya-runtime.sock" },
              ...(external.env ?? []),
            ],
            // Started before its socket exists: only liveness after a grace, readiness on runtime-ready.
            startupProbe: { ...socketProbe(false, 2), failureThreshold: 90 },
            livenessProbe: socketProbe(false, 10),
            readinessProbe: socketProbe(true, 5),
            resources: external.resources,
            volumeMounts: socketMount,
          },
        ];
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
            ...handlerContainers,
          ],
          volumes: volumes.length > 0 ? volumes : undefined,
          nodeSelector: spec.nodeSelector,
          tolerations: spec.tolerations,
        },
      },
    },
  };
}
