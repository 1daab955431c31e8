import type { KubernetesEnvVar, TransportKubernetes } from "@asya/transport";

/** Variables the SQS descriptor reads (and the manifests write). */
export const SQS_ENV = Object.freeze({
  region: "ASYA_AWS_REGION",
  endpoint: "ASYA_SQS_ENDPOINT",
  waitTimeSeconds: "ASYA_SQS_WAIT_TIME_SECONDS",
  visibilityTimeoutSec: "ASYA_SQS_VISIBILITY_TIMEOUT",
} as const);

/** An AsyncActor's `spec.transport.sqs`. Authentication is pod identity, never static keys. */
export interface SqsKubernetesSettings {
  readonly region: string;
  /** The account that owns the queues (builds KEDA's queue URL). */
  readonly accountId: string;
  readonly endpoint?: string | undefined;
  /** IAM role of the actor's ServiceAccount (IRSA); KEDA then uses the workload's identity. */
  readonly roleArn?: string | undefined;
  readonly waitTimeSeconds?: number | undefined;
  readonly visibilityTimeoutSeconds?: number | undefined;
}

/**
 * The SQS adapter's part of an actor's Kubernetes objects: region and tuning variables, the IRSA
 * annotation, and KEDA's `aws-sqs-queue` scaler with pod identity.
 */
// No runtime import: `@asya/k8s-manifests` requires this file alone, whatever the export conditions.
export const transportKubernetes: TransportKubernetes<SqsKubernetesSettings> = {
  kind: "sqs",
  env(settings) {
    const env: KubernetesEnvVar[] = [{ name: SQS_ENV.region, value: settings.region }];
    if (settings.endpoint !== undefined) env.push({ name: SQS_ENV.endpoint, value: settings.endpoint });
    if (settings.waitTimeSeconds !== undefined) {
      env.push({ name: SQS_ENV.waitTimeSeconds, value: String(settings.waitTimeSeconds) });
    }
    if (settings.visibilityTimeoutSeconds !== undefined) {
      env.push({ name: SQS_ENV.visibilityTimeoutSec, value: String(settings.visibilityTimeoutSeconds) });
    }
    return env;
  },
  serviceAccountAnnotations: (settings) =>
    settings.roleArn === undefined ? {} : { "eks.amazonaws.com/role-arn": settings.roleArn },
  secretMounts: () => [],
  kedaTrigger({ queue, queueLength, settings }) {
    const base = (settings.endpoint ?? `https://sqs.${settings.region}.amazonaws.com`).replace(/\/+$/, "");
    return {
      type: "aws-sqs-queue",
      metadata: {
        queueURL: `${base}/${settings.accountId}/${queue}`,
        queueLength: String(queueLength),
        awsRegion: settings.region,
        ...(settings.endpoint === undefined ? {} : { awsEndpoint: settings.endpoint }),
      },
      // Pod identity only: with a roleArn the ServiceAccount carries it and KEDA assumes the workload's role.
      authentication: {
        podIdentity:
          settings.roleArn === undefined
            ? { provider: "aws" }
            : { provider: "aws", identityOwner: "workload" },
      },
    };
  },
};
