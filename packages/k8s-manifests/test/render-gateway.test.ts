import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ManifestError, parseAsyaGatewayYaml, renderGateway, runManifestsCli } from "@asya/k8s-manifests";
import { Deployment } from "kubernetes-models/apps/v1";
import { Service, ServiceAccount } from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";
import { unknownFields } from "./helpers/strict-fields.js";

const EXAMPLE = join(import.meta.dirname, "../../../examples/k8s/gateway/gateway.yaml");

type ModelClass = new (data: never) => { validate(): void };
const MODELS: Record<string, ModelClass> = {
  ServiceAccount: ServiceAccount as unknown as ModelClass,
  Deployment: Deployment as unknown as ModelClass,
  Service: Service as unknown as ModelClass,
};

describe("asya manifests gateway", () => {
  it("renders ServiceAccount, Deployment (two ports, probes, Secrets) and Service, valid Kubernetes objects", () => {
    const objects = renderGateway(parseAsyaGatewayYaml(readFileSync(EXAMPLE, "utf8")));
    expect(objects.map((o) => o.kind)).toEqual(["ServiceAccount", "Deployment", "Service"]);
    for (const object of objects) {
      const Model = MODELS[object.kind] as ModelClass;
      const validate = (value: unknown) => new Model(structuredClone(value) as never).validate();
      expect(() => validate(object)).not.toThrow();
      expect(unknownFields(validate, object)).toEqual([]);
    }
    const deployment = objects[1] as unknown as {
      spec: {
        replicas: number;
        template: {
          spec: {
            containers: Array<{
              args: string[];
              env: Array<{ name: string; value?: string; valueFrom?: unknown }>;
              ports: Array<{ name: string; containerPort: number }>;
              volumeMounts: Array<{ mountPath: string }>;
            }>;
          };
        };
      };
    };
    const container = deployment.spec.template.spec.containers[0]!;
    expect(deployment.spec.replicas).toBe(2);
    expect(container.args).toEqual(["gateway"]);
    expect(container.ports).toEqual([
      { name: "http", containerPort: 8080, protocol: "TCP" },
      { name: "internal", containerPort: 8081, protocol: "TCP" },
    ]);
    const env = Object.fromEntries(container.env.map((v) => [v.name, v.value ?? v.valueFrom]));
    expect(env).toMatchObject({
      ASYA_TRANSPORT: "rabbitmq",
      ASYA_RABBITMQ_URL: { secretKeyRef: { name: "rabbitmq", key: "url" } },
      ASYA_NAMESPACE: "text",
      ASYA_GATEWAY_HOST: "0.0.0.0",
      ASYA_GATEWAY_STORE: "postgres",
      ASYA_GATEWAY_DATABASE_URL: { secretKeyRef: { name: "gateway-db", key: "url" } },
      ASYA_GATEWAY_INTERNAL_URL: "http://asya-gateway.text.svc:8081",
      ASYA_GATEWAY_INTERNAL_TOKEN: { secretKeyRef: { name: "gateway-tokens", key: "internal" } },
      ASYA_GATEWAY_REGISTRY: "/etc/asya/registry/registry.yaml",
      ASYA_GATEWAY_RETENTION: "7d",
      ASYA_GATEWAY_PUBLIC_URL: "https://asya.example.com",
    });
    expect(container.volumeMounts).toEqual([
      { name: "registry", mountPath: "/etc/asya/registry", readOnly: true },
    ]);
    expect(
      (objects[2] as unknown as { spec: { ports: Array<{ port: number }> } }).spec.ports.map((p) => p.port),
    ).toEqual([8080, 8081]);
  });

  it("refuses several replicas on a memory store, and names the field", () => {
    const spec = {
      apiVersion: "asya.sh/v1alpha1",
      kind: "AsyaGateway",
      metadata: {},
      spec: {
        image: "i",
        replicas: 3,
        transport: { type: "rabbitmq", rabbitmq: { urlSecretRef: { name: "r", key: "u" } } },
      },
    } as const;
    expect(() => renderGateway(spec)).toThrow(ManifestError);
    expect(() => renderGateway(spec)).toThrow(/spec\.replicas: several replicas need store\.type postgres/);
    expect(renderGateway({ ...spec, spec: { ...spec.spec, replicas: 1 } })[1]?.metadata.name).toBe(
      "asya-gateway",
    );
  });

  it("is a command of asya manifests", async () => {
    let out = "";
    const code = await runManifestsCli(["gateway", EXAMPLE], {
      stdout: (s) => (out += s),
      stderr: () => undefined,
    });
    expect(code).toBe(0);
    expect(out).toContain("kind: Service");
  });
});
