import type { KubernetesEnvVar, SecretKeyReference, TransportKubernetes } from "@asya/transport";

/** Variables the RabbitMQ descriptor reads (and the manifests write). */
export const RABBITMQ_ENV = Object.freeze({
  url: "ASYA_RABBITMQ_URL",
  host: "ASYA_RABBITMQ_HOST",
  port: "ASYA_RABBITMQ_PORT",
  username: "ASYA_RABBITMQ_USERNAME",
  password: "ASYA_RABBITMQ_PASSWORD",
  prefetch: "ASYA_RABBITMQ_PREFETCH",
} as const);

/** An AsyncActor's `spec.transport.rabbitmq`: the AMQP URL only ever comes from a Secret. */
export interface RabbitMqKubernetesSettings {
  readonly urlSecretRef: SecretKeyReference;
  readonly prefetch?: number | undefined;
}

/**
 * The RabbitMQ adapter's part of an actor's Kubernetes objects: `ASYA_RABBITMQ_URL` from the Secret,
 * and KEDA's `rabbitmq` scaler on the queue length, reading the same Secret as its `host`.
 */
// No runtime import: `@asya/k8s-manifests` requires this file alone, whatever the export conditions.
export const transportKubernetes: TransportKubernetes<RabbitMqKubernetesSettings> = {
  kind: "rabbitmq",
  env(settings) {
    const env: KubernetesEnvVar[] = [{ name: RABBITMQ_ENV.url, secretKeyRef: settings.urlSecretRef }];
    if (settings.prefetch !== undefined)
      env.push({ name: RABBITMQ_ENV.prefetch, value: String(settings.prefetch) });
    return env;
  },
  serviceAccountAnnotations: () => ({}),
  secretMounts: () => [],
  kedaTrigger: ({ queue, queueLength, settings }) => ({
    type: "rabbitmq",
    metadata: { protocol: "amqp", queueName: queue, mode: "QueueLength", value: String(queueLength) },
    authentication: {
      secretTargetRef: [
        { parameter: "host", name: settings.urlSecretRef.name, key: settings.urlSecretRef.key },
      ],
    },
  }),
};
