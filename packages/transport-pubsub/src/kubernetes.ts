import type { KubernetesEnvVar, SecretKeyReference, TransportKubernetes } from "@asya/transport";

/** Variables the Pub/Sub descriptor reads (and the manifests write). */
export const PUBSUB_ENV = Object.freeze({
  projectId: "ASYA_PUBSUB_PROJECT_ID",
  endpoint: "ASYA_PUBSUB_ENDPOINT",
  ackDeadlineSec: "ASYA_PUBSUB_ACK_DEADLINE_SEC",
} as const);

/** Where a service-account key Secret is mounted in the runtime container. */
export const GCP_CREDENTIALS_DIR = "/var/run/secrets/asya/gcp";
const GCP_CREDENTIALS_VOLUME = "asya-gcp-credentials";

/** An AsyncActor's `spec.transport.pubsub`: workload identity by default, or a key file Secret. */
export interface PubSubKubernetesSettings {
  readonly projectId: string;
  readonly endpoint?: string | undefined;
  /** Workload identity: the GCP service account bound to the actor's ServiceAccount. */
  readonly gcpServiceAccount?: string | undefined;
  /** Instead: a Secret key holding a service-account JSON key file. */
  readonly credentialsSecretRef?: SecretKeyReference | undefined;
}

/**
 * The Pub/Sub adapter's part of an actor's Kubernetes objects: project and endpoint variables, the
 * workload-identity annotation or a mounted key file, and KEDA's `gcp-pubsub` scaler.
 */
// No runtime import: `@asya/k8s-manifests` requires this file alone, whatever the export conditions.
export const transportKubernetes: TransportKubernetes<PubSubKubernetesSettings> = {
  kind: "pubsub",
  env(settings) {
    const env: KubernetesEnvVar[] = [{ name: PUBSUB_ENV.projectId, value: settings.projectId }];
    if (settings.endpoint !== undefined) env.push({ name: PUBSUB_ENV.endpoint, value: settings.endpoint });
    const key = settings.credentialsSecretRef?.key;
    if (key !== undefined)
      env.push({ name: "GOOGLE_APPLICATION_CREDENTIALS", value: `${GCP_CREDENTIALS_DIR}/${key}` });
    return env;
  },
  serviceAccountAnnotations: (settings) =>
    settings.gcpServiceAccount === undefined
      ? {}
      : { "iam.gke.io/gcp-service-account": settings.gcpServiceAccount },
  secretMounts: (settings) =>
    settings.credentialsSecretRef === undefined
      ? []
      : [
          {
            volumeName: GCP_CREDENTIALS_VOLUME,
            secretName: settings.credentialsSecretRef.name,
            mountPath: GCP_CREDENTIALS_DIR,
          },
        ],
  kedaTrigger({ queue, queueLength, settings }) {
    const ref = settings.credentialsSecretRef;
    return {
      type: "gcp-pubsub",
      metadata: {
        subscriptionName: `projects/${settings.projectId}/subscriptions/${queue}`,
        mode: "SubscriptionSize",
        value: String(queueLength),
      },
      authentication:
        ref === undefined
          ? { podIdentity: { provider: "gcp" } }
          : {
              secretTargetRef: [{ parameter: "GoogleApplicationCredentials", name: ref.name, key: ref.key }],
            },
    };
  },
};
