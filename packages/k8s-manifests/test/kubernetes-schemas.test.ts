import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compileFlowFile } from "@asya/flow/compiler";
import { type KubernetesObject, parseAsyncActorsYaml, renderActor, renderCrd } from "@asya/k8s-manifests";
import { ScaledObject, TriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1";
import { CustomResourceDefinition } from "kubernetes-models/apiextensions.k8s.io/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { ServiceAccount } from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";
import { exampleActors, exampleFiles } from "./helpers/examples.js";
import { unknownFields } from "./helpers/strict-fields.js";
import { renderVariants } from "./helpers/variants.js";

type ModelClass = new (data: never) => { validate(): void };

const MODELS: Record<string, ModelClass> = {
  "v1/ServiceAccount": ServiceAccount as unknown as ModelClass,
  "apps/v1/Deployment": Deployment as unknown as ModelClass,
  "keda.sh/v1alpha1/ScaledObject": ScaledObject as unknown as ModelClass,
  "keda.sh/v1alpha1/TriggerAuthentication": TriggerAuthentication as unknown as ModelClass,
  "apiextensions.k8s.io/v1/CustomResourceDefinition": CustomResourceDefinition as unknown as ModelClass,
};

// kubernetes-models types a CRD's openAPIV3Schema (JSONSchemaProps, recursive) as free-form JSON;
// crd-schema.test.ts checks every node of it against the JSONSchemaProps field list instead.
const FREE_FORM = ["/spec/versions/0/schema/openAPIV3Schema/"];

// KEDA trigger metadata is a map of strings in the CRD; these are the keys each scaler documents.
const TRIGGER_METADATA_KEYS: Record<string, readonly string[]> = {
  rabbitmq: [
    "host",
    "protocol",
    "queueName",
    "mode",
    "value",
    "activationValue",
    "vhostName",
    "useRegex",
    "excludeUnacknowledged",
    "pageSize",
    "operation",
    "timeout",
    "unsafeSsl",
  ],
  "aws-sqs-queue": [
    "queueURL",
    "queueURLFromEnv",
    "queueLength",
    "activationQueueLength",
    "awsRegion",
    "awsEndpoint",
    "scaleOnInFlight",
    "scaleOnDelayed",
  ],
  "gcp-pubsub": [
    "subscriptionName",
    "subscriptionNameFromEnv",
    "topicName",
    "mode",
    "value",
    "activationValue",
    "credentialsFromEnv",
    "aggregation",
    "timeHorizon",
    "valueIfNull",
  ],
};
const AUTH_PARAMETERS: Record<string, readonly string[]> = {
  rabbitmq: ["host"],
  "gcp-pubsub": ["GoogleApplicationCredentials"],
};

function modelFor(object: KubernetesObject): ModelClass {
  const model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (model === undefined) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  return model;
}

function expectValid(object: KubernetesObject): void {
  const Model = modelFor(object);
  const validate = (value: unknown) => new Model(value as never).validate();
  expect(() => validate(object)).not.toThrow();
  expect(
    unknownFields(validate, object, object.kind === "CustomResourceDefinition" ? FREE_FORM : []),
  ).toEqual([]);
}

function expectKnownTriggerKeys(objects: readonly KubernetesObject[]): void {
  const auth = objects.find((o) => o.kind === "TriggerAuthentication") as
    | { spec: { secretTargetRef?: { parameter: string }[] } }
    | undefined;
  for (const object of objects.filter((o) => o.kind === "ScaledObject")) {
    const triggers = (object.spec as { triggers: { type: string; metadata: Record<string, string> }[] })
      .triggers;
    for (const trigger of triggers) {
      const allowed = TRIGGER_METADATA_KEYS[trigger.type];
      expect(allowed, trigger.type).toBeDefined();
      expect(Object.keys(trigger.metadata).filter((key) => !allowed!.includes(key))).toEqual([]);
      for (const ref of auth?.spec.secretTargetRef ?? []) {
        expect(AUTH_PARAMETERS[trigger.type]).toContain(ref.parameter);
      }
    }
  }
}

describe("rendered objects validate against the Kubernetes and KEDA schemas, strictly", () => {
  for (const file of exampleFiles()) {
    it(`examples/k8s/${file}`, () => {
      for (const actor of exampleActors(file)) {
        const objects = renderActor(actor);
        for (const object of objects) expectValid(object);
        expectKnownTriggerKeys(objects);
      }
    });
  }
  for (const [label, input] of Object.entries(renderVariants())) {
    it(label, () => {
      const objects = renderActor(input);
      for (const object of objects) expectValid(object);
      expectKnownTriggerKeys(objects);
    });
  }
  it("the CRD", () => {
    expectValid(renderCrd());
  });
});

const FLOWS_DIR = fileURLToPath(new URL("../../../examples/flows/", import.meta.url));

describe("manifests of the example flows (asya flow compile) parse, render and validate", {
  timeout: 30_000,
}, () => {
  // The flow files: the ones importing @asya/flow (not the handlers or the tests' helpers).
  const flows = readdirSync(FLOWS_DIR).filter(
    (file) =>
      file.endsWith(".ts") &&
      !file.endsWith(".test.ts") &&
      readFileSync(`${FLOWS_DIR}${file}`, "utf8").includes('from "@asya/flow"'),
  );
  it("finds the example flows", () => {
    expect(flows.length).toBeGreaterThanOrEqual(5);
  });
  for (const file of flows) {
    it(`examples/flows/${file}`, () => {
      const compiled = compileFlowFile(`${FLOWS_DIR}${file}`, {
        config: { image: "ghcr.io/example/flows:1.0.0", namespace: "flows" },
      });
      const roles = new Set<string>();
      for (const [name, yaml] of compiled.manifests) {
        const [actor, ...more] = parseAsyncActorsYaml(yaml, name);
        expect(more).toEqual([]);
        roles.add(actor!.metadata.labels?.["asya.sh/role"] ?? "");
        const objects = renderActor(actor!);
        for (const object of objects) expectValid(object);
        expectKnownTriggerKeys(objects);
      }
      expect(roles.has("start") && roles.has("actor")).toBe(true);
    });
  }
});

describe("the strict field check itself", () => {
  it("catches misspelled keys the schemas accept", () => {
    const [, deployment] = renderActor(renderVariants()["rabbitmq minimal"]!);
    const bad = structuredClone(deployment!) as unknown as {
      spec: { template: { spec: Record<string, unknown> } };
    };
    bad.spec.template.spec.terminationGracePeriod = 30;
    const validate = (value: unknown) => new Deployment(value as never).validate();
    expect(() => validate(bad)).not.toThrow(); // the plain schema lets it through...
    expect(unknownFields(validate, bad)).toEqual(["/spec/template/spec/terminationGracePeriod"]); // ...the probe does not
  });

  it("catches a misspelled KEDA field", () => {
    const objects = renderActor(renderVariants()["rabbitmq minimal"]!);
    const scaled = structuredClone(objects.find((o) => o.kind === "ScaledObject")!) as unknown as {
      spec: Record<string, unknown>;
    };
    scaled.spec.cooldownPeriods = 5;
    const validate = (value: unknown) => new ScaledObject(value as never).validate();
    expect(unknownFields(validate, scaled)).toEqual(["/spec/cooldownPeriods"]);
  });
});
