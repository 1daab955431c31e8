import { z } from "zod";
import {
  ASYNC_ACTOR_GROUP,
  ASYNC_ACTOR_KIND,
  ASYNC_ACTOR_VERSION,
  asyncActorSpecSchema,
} from "./async-actor-schema.js";
import { type JsonSchema, toStructural } from "./internal/structural-schema.js";
import type { KubernetesObject } from "./kubernetes-object.js";

/** Name of the AsyncActor CustomResourceDefinition. */
export const ASYNC_ACTOR_CRD_NAME = `asyncactors.${ASYNC_ACTOR_GROUP}`;

/**
 * The `openAPIV3Schema` of the AsyncActor CRD, generated from {@link asyncActorSpecSchema} with
 * `z.toJSONSchema` (OpenAPI 3.0 target, input shape so defaults are listed, not required) and made
 * structural.
 */
export function asyncActorOpenApiSchema(): JsonSchema {
  const spec = z.toJSONSchema(asyncActorSpecSchema, { target: "openapi-3.0", io: "input" }) as JsonSchema;
  return {
    type: "object",
    description: "An Asya actor: a queue consumer Deployment scaled by KEDA on its queue's depth.",
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object" },
      spec: toStructural(spec, "#/properties/spec"),
    },
    required: ["spec"],
  };
}

/**
 * Renders the AsyncActor `CustomResourceDefinition` (`asya.sh/v1alpha1`, short names `asya`/`asyas`).
 * @example toYaml([renderCrd()]) // pipe to `kubectl apply -f -`
 */
export function renderCrd(): KubernetesObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: ASYNC_ACTOR_CRD_NAME,
      labels: {
        "app.kubernetes.io/managed-by": "asya-k8s-manifests",
        "app.kubernetes.io/part-of": "asya",
      },
    },
    spec: {
      group: ASYNC_ACTOR_GROUP,
      names: {
        kind: ASYNC_ACTOR_KIND,
        listKind: `${ASYNC_ACTOR_KIND}List`,
        plural: "asyncactors",
        singular: "asyncactor",
        shortNames: ["asya", "asyas"],
        categories: ["asya"],
      },
      scope: "Namespaced",
      versions: [
        {
          name: ASYNC_ACTOR_VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: asyncActorOpenApiSchema() },
          additionalPrinterColumns: [
            { name: "Actor", type: "string", jsonPath: ".spec.actor" },
            { name: "Transport", type: "string", jsonPath: ".spec.transport.type" },
            { name: "Image", type: "string", jsonPath: ".spec.image", priority: 1 },
            { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
          ],
        },
      ],
    },
  };
}
