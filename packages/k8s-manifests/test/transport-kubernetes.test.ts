import { type KubernetesObject, renderActor, type TransportSpec } from "@asya/k8s-manifests";
import { registerTransport, type TransportDescriptor } from "@asya/transport";
import {
  type PubSubKubernetesSettings,
  transportDescriptor as pubsubDescriptor,
} from "@asya/transport-pubsub";
import {
  type RabbitMqKubernetesSettings,
  transportDescriptor as rabbitmqDescriptor,
} from "@asya/transport-rabbitmq";
import { type SqsKubernetesSettings, transportDescriptor as sqsDescriptor } from "@asya/transport-sqs";
import { describe, expect, expectTypeOf, it } from "vitest";
import { actorInput } from "./helpers/variants.js";

// The adapters render their own part of an actor (variables, pod identity, KEDA trigger) through
// their descriptors; these tests hold the two ends together: what the manifests write, the
// descriptor's fromEnv reads back.

type Env = Array<{
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}>;
const deploymentOf = (objects: readonly KubernetesObject[]) =>
  objects.find((object) => object.kind === "Deployment") as unknown as {
    spec: { template: { spec: { containers: Array<{ env: Env }> } } };
  };

/** The container environment as the kubelet would build it, Secrets resolved from `secrets`. */
function containerEnv(objects: readonly KubernetesObject[], secrets: Record<string, string> = {}) {
  const env: Record<string, string> = {};
  for (const variable of deploymentOf(objects).spec.template.spec.containers[0]?.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    const value = ref === undefined ? variable.value : secrets[`${ref.name}/${ref.key}`];
    if (value !== undefined) env[variable.name] = value;
  }
  return env;
}

describe("adapter descriptors render their part of an actor", () => {
  it("the AsyncActor settings blocks are the adapters' settings types", () => {
    expectTypeOf<NonNullable<TransportSpec["rabbitmq"]>>().toExtend<RabbitMqKubernetesSettings>();
    expectTypeOf<NonNullable<TransportSpec["sqs"]>>().toExtend<SqsKubernetesSettings>();
    expectTypeOf<NonNullable<TransportSpec["pubsub"]>>().toExtend<PubSubKubernetesSettings>();
  });

  it("rabbitmq: the URL from the Secret and the prefetch reach fromEnv", () => {
    const objects = renderActor(
      actorInput({ type: "rabbitmq", rabbitmq: { urlSecretRef: { name: "amqp", key: "url" }, prefetch: 8 } }),
    );
    const env = containerEnv(objects, { "amqp/url": "amqp://u:p@rabbit:5672/v" });
    expect(rabbitmqDescriptor.fromEnv(env)).toEqual({ url: "amqp://u:p@rabbit:5672/v", prefetch: 8 });
  });

  it("sqs: region, endpoint and tuning reach fromEnv; the IRSA role annotates the ServiceAccount", () => {
    const objects = renderActor(
      actorInput({
        type: "sqs",
        sqs: {
          region: "eu-west-1",
          accountId: "123456789012",
          endpoint: "http://localstack:4566",
          roleArn: "arn:aws:iam::123456789012:role/worker",
          waitTimeSeconds: 5,
          visibilityTimeoutSeconds: 120,
        },
      }),
    );
    expect(sqsDescriptor.fromEnv(containerEnv(objects))).toEqual({
      region: "eu-west-1",
      endpoint: "http://localstack:4566",
      waitTimeSeconds: 5,
      visibilityTimeoutSec: 120,
    });
    const account = objects.find((object) => object.kind === "ServiceAccount");
    expect(account?.metadata).toMatchObject({
      annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/worker" },
    });
  });

  it("pubsub: project and endpoint reach fromEnv; a key Secret is mounted where GOOGLE_APPLICATION_CREDENTIALS points", () => {
    const objects = renderActor(
      actorInput({
        type: "pubsub",
        pubsub: {
          projectId: "my-project",
          endpoint: "pubsub:8085",
          credentialsSecretRef: { name: "gcp", key: "k.json" },
        },
      }),
    );
    const env = containerEnv(objects);
    expect(pubsubDescriptor.fromEnv(env)).toEqual({ projectId: "my-project", apiEndpoint: "pubsub:8085" });
    const pod = deploymentOf(objects).spec.template.spec as unknown as {
      containers: Array<{ volumeMounts: Array<{ name: string; mountPath: string }> }>;
      volumes: Array<{ name: string; secret: { secretName: string } }>;
    };
    const mount = pod.containers[0]?.volumeMounts[0];
    expect(env.GOOGLE_APPLICATION_CREDENTIALS).toBe(`${mount?.mountPath}/k.json`);
    expect(pod.volumes).toEqual([{ name: mount?.name, secret: { secretName: "gcp" } }]);
  });

  it("a descriptor registered in process renders instead of the package's", () => {
    const descriptor: TransportDescriptor<unknown, RabbitMqKubernetesSettings> = {
      ...(rabbitmqDescriptor as TransportDescriptor<unknown, RabbitMqKubernetesSettings>),
      kubernetes: {
        kind: "rabbitmq",
        env: () => [{ name: "FAKE_BROKER_URL", secretKeyRef: { name: "fake", key: "url" } }],
        serviceAccountAnnotations: () => ({ "example.com/identity": "fake" }),
        secretMounts: () => [],
        kedaTrigger: ({ queue, queueLength }) => ({
          type: "fake-scaler",
          metadata: { queue, target: String(queueLength) },
          authentication: { podIdentity: { provider: "none" } },
        }),
      },
    };
    registerTransport(descriptor);
    const objects = renderActor(
      actorInput({ type: "rabbitmq", rabbitmq: { urlSecretRef: { name: "amqp", key: "url" } } }),
    );
    expect(containerEnv(objects, { "fake/url": "x" })).toMatchObject({ FAKE_BROKER_URL: "x" });
    expect(containerEnv(objects)).not.toHaveProperty("ASYA_RABBITMQ_URL");
    const scaled = objects.find((object) => object.kind === "ScaledObject") as unknown as {
      spec: { triggers: unknown[] };
    };
    expect(scaled.spec.triggers).toEqual([
      {
        type: "fake-scaler",
        name: "queue",
        metadata: { queue: "asya-jobs-worker", target: "5" },
        authenticationRef: { name: expect.any(String) },
      },
    ]);
  });
});
