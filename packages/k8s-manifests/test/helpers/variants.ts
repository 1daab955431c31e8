import type { AsyncActorInput } from "@asya/k8s-manifests";

/** A minimal valid actor on the given transport; `extra` is merged into `spec`. */
export function actorInput(
  transport: AsyncActorInput["spec"]["transport"],
  extra: Partial<AsyncActorInput["spec"]> = {},
  metadata: AsyncActorInput["metadata"] = { name: "worker", namespace: "jobs" },
): AsyncActorInput {
  return {
    apiVersion: "asya.sh/v1alpha1",
    kind: "AsyncActor",
    metadata,
    spec: {
      actor: "worker",
      image: "example/worker:1",
      handler: "./dist/handler.js#process",
      transport,
      ...extra,
    },
  };
}

export const rabbitmq = {
  type: "rabbitmq",
  rabbitmq: { urlSecretRef: { name: "amqp", key: "url" } },
} as const;

export const sqs = { type: "sqs", sqs: { region: "us-east-1", accountId: "000000000000" } } as const;

export const pubsub = { type: "pubsub", pubsub: { projectId: "my-project" } } as const;

/** A claim-check on S3 (an emulator endpoint, every optional field). */
export const s3ClaimCheck = {
  store: "s3",
  bucket: "asya-claims-prod",
  prefix: "pipelines/claims",
  s3Endpoint: "http://moto:5000",
  thresholdBytes: 200_000,
  gzip: true,
} as const;

/** A claim-check on a shared volume, with the ReadWriteMany PVC mounted at its dir. */
export const fileClaimCheck = {
  claimCheck: { store: "file", dir: "/var/lib/asya/claims" },
  volumes: [{ name: "claims", persistentVolumeClaim: { claimName: "asya-claims" } }],
  volumeMounts: [{ name: "claims", mountPath: "/var/lib/asya" }],
} as const satisfies Partial<AsyncActorInput["spec"]>;

/** Variants that exercise every optional branch of the renderers, keyed by a label. */
export function renderVariants(): Record<string, AsyncActorInput> {
  return {
    "rabbitmq minimal": actorInput(rabbitmq),
    "rabbitmq scaling disabled": actorInput(rabbitmq, { scaling: { enabled: false }, replicas: 3 }),
    "rabbitmq advanced scaling": actorInput(rabbitmq, {
      scaling: {
        advanced: {
          restoreToOriginalReplicaCount: true,
          formula: "queue * 2",
          target: "10",
          metricType: "AverageValue",
        },
      },
    }),
    "sqs with endpoint, no role": actorInput({
      type: "sqs",
      sqs: {
        region: "us-east-1",
        accountId: "000000000000",
        endpoint: "http://localstack:4566",
        waitTimeSeconds: 10,
      },
    }),
    "pubsub with key secret": actorInput({
      type: "pubsub",
      pubsub: {
        projectId: "my-project",
        credentialsSecretRef: { name: "gcp-key", key: "key.json" },
        endpoint: "pubsub:8085",
      },
    }),
    "pubsub without namespace": actorInput(pubsub, {}, { name: "worker" }),
    "sqs with an s3 claim-check": actorInput(sqs, { claimCheck: s3ClaimCheck }),
    "rabbitmq with a file claim-check on a shared volume": actorInput(rabbitmq, fileClaimCheck),
    "x-sink crew with a claim-check": (() => {
      const { handler: _handler, ...spec } = actorInput(sqs, {
        crew: "x-sink",
        claimCheck: s3ClaimCheck,
      }).spec;
      return { ...actorInput(sqs), spec };
    })(),
    everything: actorInput(rabbitmq, {
      env: [{ name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } }],
      volumes: [{ name: "models", persistentVolumeClaim: { claimName: "models", readOnly: true } }],
      volumeMounts: [{ name: "models", mountPath: "/models", readOnly: true }],
      tolerations: [
        { key: "gpu", operator: "Equal", value: "a100", effect: "NoSchedule", tolerationSeconds: 60 },
      ],
      nodeSelector: { pool: "gpu" },
      resources: { requests: { cpu: "2", "nvidia.com/gpu": 1 }, limits: { "nvidia.com/gpu": 1 } },
      secretRefs: [{ secretName: "api", keys: [{ key: "token", envVar: "API_TOKEN" }] }],
      tracing: { endpoint: "http://otel:4317", protocol: "grpc" },
      concurrency: 3,
      healthPort: 9090,
      imagePullPolicy: "Never",
    }),
  };
}
