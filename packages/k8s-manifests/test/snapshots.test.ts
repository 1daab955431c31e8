import { renderActor, renderCrd, toYaml } from "@asya/k8s-manifests";
import { describe, expect, it } from "vitest";
import { exampleActors } from "./helpers/examples.js";
import { actorInput, rabbitmq } from "./helpers/variants.js";

const renderFile = (file: string) =>
  exampleActors(file)
    .map((actor) => toYaml(renderActor(actor)))
    .join("---\n");

// The examples' snapshots live next to them (examples/k8s/rendered/) so readers see the real output.
describe("rendered YAML snapshots", () => {
  it("rabbitmq: the 3-actor pipeline in examples/k8s/pipeline.yaml", async () => {
    await expect(renderFile("pipeline.yaml")).toMatchFileSnapshot(
      "../../../examples/k8s/rendered/pipeline.yaml",
    );
  });

  it("sqs: examples/k8s/sqs-actor.yaml", async () => {
    await expect(renderFile("sqs-actor.yaml")).toMatchFileSnapshot(
      "../../../examples/k8s/rendered/sqs-actor.yaml",
    );
  });

  it("pubsub: examples/k8s/pubsub-actor.yaml", async () => {
    await expect(renderFile("pubsub-actor.yaml")).toMatchFileSnapshot(
      "../../../examples/k8s/rendered/pubsub-actor.yaml",
    );
  });

  it("scaling disabled: fixed replicas, no KEDA objects", async () => {
    const objects = renderActor(actorInput(rabbitmq, { scaling: { enabled: false }, replicas: 2 }));
    await expect(toYaml(objects)).toMatchFileSnapshot("__snapshots__/scaling-disabled.yaml");
  });

  it("the CRD", async () => {
    await expect(toYaml([renderCrd()])).toMatchFileSnapshot("__snapshots__/crd.yaml");
  });
});
