import { z } from "zod";
import { actorName, secretKeyRef } from "./internal/primitives.js";
import { envVarSchema, resourcesSchema } from "./pod-schema.js";
import { transportSchema } from "./transport-schema.js";

/** `kind` of a gateway spec (rendered, not a CRD: `asya manifests gateway`). */
export const ASYA_GATEWAY_KIND = "AsyaGateway";

/** Where the gateway keeps tasks: `memory` (one replica) or PostgreSQL (the URL from a Secret). */
export const gatewayStoreSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("memory") }),
  z.strictObject({
    type: z.literal("postgres"),
    databaseUrlSecretRef: secretKeyRef.describe(
      "Secret key holding the postgres:// URL (ASYA_GATEWAY_DATABASE_URL).",
    ),
  }),
]);

/** `spec` of a gateway: image, replicas, store, transport, registry ConfigMap, tokens from Secrets. */
export const gatewaySpecSchema = z
  .strictObject({
    image: z.string().min(1).describe("Image whose entrypoint runs `asya gateway`."),
    imagePullPolicy: z.enum(["Always", "IfNotPresent", "Never"]).default("IfNotPresent"),
    replicas: z.number().int().min(1).default(1),
    store: gatewayStoreSchema.default({ type: "memory" }),
    transport: transportSchema,
    namespace: actorName
      .optional()
      .describe("Mesh namespace of the actors' queues; defaults to metadata.namespace."),
    prefix: z
      .string()
      .regex(/^(\/[^\s]*)?$/, { error: 'must start with "/" (or be "")' })
      .default("/api/v1"),
    port: z.number().int().min(1).max(65_535).default(8080),
    internalPort: z.number().int().min(1).max(65_535).default(8081),
    registry: z
      .strictObject({ configMap: actorName, key: z.string().min(1).default("registry.yaml") })
      .optional()
      .describe("ConfigMap holding the registry YAML (mounted; the gateway hot-reloads it)."),
    apiKeySecretRef: secretKeyRef.optional().describe("ASYA_GATEWAY_API_KEY."),
    internalTokenSecretRef: secretKeyRef
      .optional()
      .describe("ASYA_GATEWAY_INTERNAL_TOKEN (actors send it as ASYA_GATEWAY_TOKEN)."),
    retention: z
      .string()
      .regex(/^\d+(d|h|m|s)$/)
      .optional()
      .describe("ASYA_GATEWAY_RETENTION, e.g. 7d."),
    publicUrl: z
      .string()
      .regex(/^https?:\/\/[^\s/]+/, { error: "must be an http(s) URL" })
      .optional()
      .describe("ASYA_GATEWAY_PUBLIC_URL: the external URL the A2A agent card names (an Ingress)."),
    env: z.array(envVarSchema).optional(),
    resources: resourcesSchema.optional(),
  })
  .superRefine((spec, ctx) => {
    if (spec.store.type === "memory" && spec.replicas > 1) {
      ctx.addIssue({
        code: "custom",
        path: ["replicas"],
        message: "several replicas need store.type postgres (a memory store is per process)",
      });
    }
    if (spec.port === spec.internalPort) {
      ctx.addIssue({ code: "custom", path: ["internalPort"], message: "must differ from port" });
    }
  });

/** A whole gateway document. */
export const asyaGatewaySchema = z.strictObject({
  apiVersion: z.literal("asya.sh/v1alpha1"),
  kind: z.literal(ASYA_GATEWAY_KIND),
  metadata: z.looseObject({
    name: actorName.default("asya-gateway"),
    namespace: actorName.optional(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
  spec: gatewaySpecSchema,
});

/** A parsed gateway spec, defaults applied. */
export type AsyaGateway = z.output<typeof asyaGatewaySchema>;
/** A gateway spec as written. */
export type AsyaGatewayInput = z.input<typeof asyaGatewaySchema>;
