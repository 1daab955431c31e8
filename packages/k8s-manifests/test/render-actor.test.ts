import { queueName } from "@asya/envelope";
import {
  type KubernetesObject,
  ManifestError,
  parseAsyncActor,
  renderActor,
  runtimeEnv,
  terminationGracePeriodSeconds,
  toYaml,
} from "@asya/k8s-manifests";
import { Deployment } from "kubernetes-models/apps/v1";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { exampleActors, exampleFiles } from "./helpers/examples.js";
import { unknownFields } from "./helpers/strict-fields.js";
import { actorInput, pubsub, rabbitmq, renderVariants, sqs } from "./helpers/variants.js";

type Container = { env: { name: string; value?: string; valueFrom?: unknown }[]; [key: string]: unknown };
const byKind = (objects: readonly KubernetesObject[], kind: string) => objects.find((o) => o.kind === kind)!;
const containerOf = (objects: readonly KubernetesObject[]) =>
  (byKind(objects, "Deployment").spec as { template: { spec: { containers: Container[] } } }).template.spec
    .containers[0]!;
const envOf = (objects: readonly KubernetesObject[]) =>
  Object.fromEntries(containerOf(objects).env.map((e) => [e.name, e.value ?? e.valueFrom]));
const triggerOf = (objects: readonly KubernetesObject[]) =>
  (byKind(objects, "ScaledObject").spec as { triggers: { type: string; metadata: Record<string, string> }[] })
    .triggers[0]!;
const authOf = (objects: readonly KubernetesObject[]) => byKind(objects, "TriggerAuthentication").spec;

describe("renderActor", () => {
  it("renders ServiceAccount, Deployment, TriggerAuthentication, ScaledObject in apply order", () => {
    expect(renderActor(actorInput(rabbitmq)).map((o) => o.kind)).toEqual([
      "ServiceAccount",
      "Deployment",
      "TriggerAuthentication",
      "ScaledObject",
    ]);
  });

  it("runtime external: a two-container pod sharing the socket's emptyDir, probes on both (SPEC section 9)", () => {
    const { handler: _handler, ...base } = actorInput(rabbitmq).spec as Record<string, unknown>;
    const objects = renderActor({
      ...actorInput(rabbitmq),
      spec: {
        ...base,
        runtime: {
          type: "external",
          image: "ghcr.io/example/py-handler:1",
          command: ["python", "-m", "asya_runtime"],
          resources: { limits: { "nvidia.com/gpu": 1 } },
        },
      },
    } as never);
    const deployment = byKind(objects, "Deployment");
    // A valid Kubernetes Deployment, every field known to the schema.
    expect(() => new Deployment(structuredClone(deployment) as never).validate()).not.toThrow();
    expect(
      unknownFields((value) => new Deployment(structuredClone(value) as never).validate(), deployment),
    ).toEqual([]);
    const pod = (deployment.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    const [runtime, handlerContainer] = pod.containers as Array<Record<string, unknown>>;
    expect(pod.volumes).toContainEqual({ name: "asya-socket", emptyDir: {} });
    const env = Object.fromEntries(
      ((runtime?.env ?? []) as { name: string; value?: string }[]).map((e) => [e.name, e.value]),
    );
    expect(env.ASYA_HANDLER).toBeUndefined();
    expect(env.ASYA_HANDLER_SOCKET).toBe("/var/run/asya/asya-runtime.sock");
    expect(runtime?.volumeMounts).toContainEqual({ name: "asya-socket", mountPath: "/var/run/asya" });
    expect(handlerContainer).toMatchObject({
      name: "asya-handler",
      image: "ghcr.io/example/py-handler:1",
      command: ["python", "-m", "asya_runtime"],
      env: [
        { name: "ASYA_SOCKET_DIR", value: "/var/run/asya" },
        { name: "ASYA_SOCKET_NAME", value: "asya-runtime.sock" },
      ],
      resources: { limits: { "nvidia.com/gpu": 1 } },
      volumeMounts: [{ name: "asya-socket", mountPath: "/var/run/asya" }],
      readinessProbe: { exec: { command: ["sh", "-c", expect.stringContaining("runtime-ready")] } },
      livenessProbe: { exec: { command: ["sh", "-c", "test -S /var/run/asya/asya-runtime.sock"] } },
    });
    expect(() => parseAsyncActor({ ...actorInput(rabbitmq), spec: { ...base } })).toThrow(
      /spec\.handler: set handler/,
    );
  });

  it("wires the runtime's configFromEnv names", () => {
    const env = envOf(
      renderActor(actorInput(rabbitmq, { concurrency: 4, resiliency: { actorTimeout: "45s" } })),
    );
    expect(env).toMatchObject({
      ASYA_ACTOR_NAME: "worker",
      ASYA_NAMESPACE: "jobs",
      ASYA_HANDLER: "./dist/handler.js#process",
      ASYA_TRANSPORT: "rabbitmq",
      ASYA_RABBITMQ_URL: { secretKeyRef: { name: "amqp", key: "url" } },
      ASYA_RESILIENCY_ACTOR_TIMEOUT: "45s",
      ASYA_CONCURRENCY: "4",
      ASYA_HEALTH_HOST: "0.0.0.0",
      ASYA_HEALTH_PORT: "8080",
    });
  });

  it("passes policies and rules as JSON in SPEC section 4's shape", () => {
    const resiliency = {
      policies: {
        default: {
          maxAttempts: 3,
          backoff: "exponential" as const,
          initialDelay: "1s",
          thenRoute: ["x-sump"],
        },
      },
      rules: [{ errors: ["TimeoutError"], policy: "default" }],
    };
    const env = envOf(renderActor(actorInput(rabbitmq, { resiliency })));
    expect(JSON.parse(env.ASYA_RESILIENCY_POLICIES as string)).toEqual(resiliency.policies);
    expect(JSON.parse(env.ASYA_RESILIENCY_RULES as string)).toEqual(resiliency.rules);
    expect(env.ASYA_RESILIENCY_ACTOR_TIMEOUT).toBeUndefined();
  });

  it("sets SQS and Pub/Sub variables and tracing", () => {
    const sqsEnv = envOf(
      renderActor(actorInput(sqs, { tracing: { endpoint: "http://otel:4318", protocol: "http/protobuf" } })),
    );
    expect(sqsEnv).toMatchObject({
      ASYA_TRANSPORT: "sqs",
      ASYA_AWS_REGION: "us-east-1",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel:4318",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
    });
    const pubsubEnv = envOf(renderActor(renderVariants()["pubsub with key secret"]!));
    expect(pubsubEnv).toMatchObject({
      ASYA_TRANSPORT: "pubsub",
      ASYA_PUBSUB_PROJECT_ID: "my-project",
      ASYA_PUBSUB_ENDPOINT: "pubsub:8085",
      GOOGLE_APPLICATION_CREDENTIALS: "/var/run/secrets/asya/gcp/key.json",
    });
  });

  it("lets a user env var replace a generated one, and appends secretRefs as Secret references", () => {
    const env = renderActor(
      actorInput(rabbitmq, {
        env: [{ name: "ASYA_HEALTH_PORT", value: "9999" }],
        secretRefs: [{ secretName: "api", keys: [{ key: "token", envVar: "API_TOKEN" }] }],
      }),
    );
    const names = containerOf(env).env.map((e) => e.name);
    expect(names.filter((n) => n === "ASYA_HEALTH_PORT")).toHaveLength(1);
    expect(names.at(-1)).toBe("ASYA_HEALTH_PORT");
    expect(envOf(env).ASYA_HEALTH_PORT).toBe("9999");
    expect(envOf(env).API_TOKEN).toEqual({ secretKeyRef: { name: "api", key: "token" } });
  });

  it("probes /healthz and /readyz on the health port", () => {
    const container = containerOf(renderActor(actorInput(rabbitmq, { healthPort: 9090 })));
    expect(container.ports).toEqual([{ name: "health", containerPort: 9090, protocol: "TCP" }]);
    expect(container.livenessProbe).toMatchObject({ httpGet: { path: "/healthz", port: "health" } });
    expect(container.readinessProbe).toMatchObject({ httpGet: { path: "/readyz", port: "health" } });
  });

  it("gives SIGTERM a grace period longer than the actor timeout", () => {
    const grace = (resiliency?: object) =>
      terminationGracePeriodSeconds(parseAsyncActor(actorInput(rabbitmq, resiliency ? { resiliency } : {})));
    expect(grace()).toBe(330); // runtime default 5m + 30 s
    expect(grace({ actorTimeout: "2m" })).toBe(150);
    expect(grace({ actorTimeout: 1500 })).toBe(32);
    expect(grace({ timeout: { actor: "1h" } })).toBe(3630);
    expect(grace({ actorTimeout: "250ms" })).toBe(31);
  });

  it("builds each transport's KEDA trigger per SPEC section 8 from the shared queueName rule", () => {
    const rabbit = renderActor(actorInput(rabbitmq, { scaling: { queueLength: 7 } }));
    expect(triggerOf(rabbit)).toMatchObject({
      type: "rabbitmq",
      metadata: { protocol: "amqp", queueName: queueName("worker", "jobs"), mode: "QueueLength", value: "7" },
    });
    expect(authOf(rabbit)).toEqual({ secretTargetRef: [{ parameter: "host", name: "amqp", key: "url" }] });

    const aws = renderActor(actorInput(sqs));
    expect(triggerOf(aws)).toMatchObject({
      type: "aws-sqs-queue",
      metadata: {
        queueURL: "https://sqs.us-east-1.amazonaws.com/000000000000/asya-jobs-worker",
        queueLength: "5",
        awsRegion: "us-east-1",
      },
    });
    expect(authOf(aws)).toEqual({ podIdentity: { provider: "aws" } });

    const gcp = renderActor(actorInput(pubsub));
    expect(triggerOf(gcp)).toMatchObject({
      type: "gcp-pubsub",
      metadata: {
        subscriptionName: "projects/my-project/subscriptions/asya-jobs-worker",
        mode: "SubscriptionSize",
        value: "5",
      },
    });
    expect(authOf(gcp)).toEqual({ podIdentity: { provider: "gcp" } });
    expect(authOf(renderActor(renderVariants()["pubsub with key secret"]!))).toEqual({
      secretTargetRef: [{ parameter: "GoogleApplicationCredentials", name: "gcp-key", key: "key.json" }],
    });
  });

  it("uses the workload's IAM role for SQS when roleArn is set, and annotates the ServiceAccount", () => {
    const roleArn = "arn:aws:iam::000000000000:role/worker";
    const objects = renderActor(actorInput({ type: "sqs", sqs: { ...sqs.sqs, roleArn } }));
    expect(authOf(objects)).toEqual({ podIdentity: { provider: "aws", identityOwner: "workload" } });
    expect(byKind(objects, "ServiceAccount").metadata.annotations).toEqual({
      "eks.amazonaws.com/role-arn": roleArn,
    });
  });

  it("scales to zero with Asya's defaults and the SPEC's HPA behaviour", () => {
    const spec = byKind(renderActor(actorInput(rabbitmq)), "ScaledObject").spec as Record<string, unknown>;
    expect(spec).toMatchObject({
      minReplicaCount: 0,
      maxReplicaCount: 10,
      pollingInterval: 30,
      cooldownPeriod: 300,
    });
    expect(spec.advanced).toMatchObject({
      horizontalPodAutoscalerConfig: {
        behavior: {
          scaleDown: {
            stabilizationWindowSeconds: 300,
            policies: [{ type: "Pods", value: 1, periodSeconds: 60 }],
          },
          scaleUp: { stabilizationWindowSeconds: 0 },
        },
      },
    });
    const deployment = byKind(renderActor(actorInput(rabbitmq)), "Deployment").spec as Record<
      string,
      unknown
    >;
    expect(deployment.replicas).toBeUndefined(); // owned by the HPA
  });

  it("uses spec.namespace for queue names over metadata.namespace, and none when neither is set", () => {
    expect(triggerOf(renderActor(actorInput(rabbitmq, { namespace: "prod" }))).metadata.queueName).toBe(
      "asya-prod-worker",
    );
    expect(
      triggerOf(renderActor(renderVariants()["pubsub without namespace"]!)).metadata.subscriptionName,
    ).toBe("projects/my-project/subscriptions/asya-worker");
  });

  it("truncates derived names to 63 characters with a stable hash suffix", () => {
    const long = "a".repeat(60);
    const objects = renderActor(actorInput(rabbitmq, { actor: long }, { name: long }));
    const authName = byKind(objects, "TriggerAuthentication").metadata.name;
    expect(authName).toHaveLength(63);
    expect(authName).toMatch(/^a+-[0-9a-f]{8}$/);
    const other = renderActor(
      actorInput(rabbitmq, { actor: `${"a".repeat(59)}b` }, { name: `${"a".repeat(59)}b` }),
    );
    expect(byKind(other, "TriggerAuthentication").metadata.name).not.toBe(authName);
    expect(
      byKind(renderActor(actorInput(rabbitmq, { actor: long }, { name: long })), "TriggerAuthentication")
        .metadata.name,
    ).toBe(authName);
  });

  it("names objects after spec.actor when metadata.name is absent", () => {
    const objects = renderActor(actorInput(rabbitmq, {}, {}));
    expect(objects.map((o) => o.metadata.name)).toEqual([
      "worker",
      "worker",
      "worker-trigger-auth",
      "worker",
    ]);
    expect(objects.every((o) => o.metadata.namespace === undefined)).toBe(true);
  });

  it("labels every object with app.kubernetes.io/* and keeps the selector stable", () => {
    for (const object of renderActor(actorInput(rabbitmq, {}, { name: "worker", labels: { team: "ml" } }))) {
      expect(object.metadata.labels).toMatchObject({
        "app.kubernetes.io/name": "worker",
        "app.kubernetes.io/instance": "worker",
        "app.kubernetes.io/component": "actor",
        "app.kubernetes.io/part-of": "asya",
        "app.kubernetes.io/managed-by": "asya-k8s-manifests",
        team: "ml",
      });
    }
  });

  it("never puts a secret value in the output", () => {
    for (const file of exampleFiles()) {
      for (const actor of exampleActors(file)) {
        const yaml = toYaml(renderActor(actor));
        expect(yaml).not.toMatch(/amqp:\/\/|password|AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|private_key/i);
      }
    }
    // An inline URL cannot even be expressed: the schema only takes Secret references.
    expect(() =>
      renderActor(actorInput({ type: "rabbitmq", rabbitmq: { url: "amqp://u:p@h" } } as never)),
    ).toThrow(ManifestError);
  });

  it("is deterministic regardless of input key order", () => {
    const input = actorInput(rabbitmq, { concurrency: 2, scaling: { maxReplicaCount: 3, queueLength: 2 } });
    const reversed = JSON.parse(JSON.stringify(input), (_key, value: unknown) =>
      value && typeof value === "object" && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).reverse())
        : value,
    ) as typeof input;
    expect(toYaml(renderActor(reversed))).toBe(toYaml(renderActor(input)));
  });

  it("throws INVALID_SPEC naming every bad field's path", () => {
    const bad = actorInput(rabbitmq, {
      scaling: { maxReplicaCount: 0 },
      env: [{ name: "OK" }, { name: "" }],
    });
    try {
      renderActor(bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ManifestError);
      const e = error as ManifestError;
      expect(e.code).toBe("INVALID_SPEC");
      expect(e.retryable).toBe(false);
      expect(e.message).toMatch(/^\[asya:k8s-manifests\] invalid AsyncActor:/);
      expect(e.issues.map((i) => i.path)).toEqual(["spec.env[1].name", "spec.scaling.maxReplicaCount"]);
    }
  });

  it("re-renders its own parsed output unchanged", () => {
    const parsed = parseAsyncActor(actorInput(sqs));
    expect(renderActor(parsed)).toEqual(renderActor(actorInput(sqs)));
  });

  it("runtimeEnv lists exactly the generated variables for a minimal actor", () => {
    expect(runtimeEnv(parseAsyncActor(actorInput(sqs)).spec, undefined).map((e) => e.name)).toEqual([
      "ASYA_ACTOR_NAME",
      "ASYA_HANDLER",
      "ASYA_TRANSPORT",
      "ASYA_AWS_REGION",
      "ASYA_HEALTH_HOST",
      "ASYA_HEALTH_PORT",
    ]);
  });
});

describe("toYaml", () => {
  it("emits one document per object, keys sorted, YAML-1.1-ambiguous strings quoted", () => {
    const yaml = toYaml([
      { kind: "A", apiVersion: "v1", metadata: { name: "a", labels: { on: "on", n: "5" } } },
      { kind: "B", apiVersion: "v1", metadata: { name: "b" } },
    ]);
    expect(yaml).toBe(
      'apiVersion: v1\nkind: A\nmetadata:\n  labels:\n    "n": "5"\n    "on": "on"\n  name: a\n---\napiVersion: v1\nkind: B\nmetadata:\n  name: b\n',
    );
    expect(parseAllDocuments(yaml).map((d) => d.toJS())).toHaveLength(2);
  });
});
