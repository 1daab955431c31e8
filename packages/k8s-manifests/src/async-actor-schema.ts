import { z } from "zod";
import { claimCheckSchema, isUnderMount } from "./claim-check-schema.js";
import { actorName, httpUrl } from "./internal/primitives.js";
import {
  envVarSchema,
  resourcesSchema,
  secretRefSchema,
  tolerationSchema,
  volumeMountSchema,
  volumeSchema,
} from "./pod-schema.js";
import { resiliencySchema } from "./resiliency-schema.js";
import { scalingSchema } from "./scaling-schema.js";
import { transportSchema } from "./transport-schema.js";

/** API group of the AsyncActor custom resource. */
export const ASYNC_ACTOR_GROUP = "asya.sh";
/** Served version of the AsyncActor custom resource. */
export const ASYNC_ACTOR_VERSION = "v1alpha1";
/** `apiVersion` of an AsyncActor. */
export const ASYNC_ACTOR_API_VERSION = `${ASYNC_ACTOR_GROUP}/${ASYNC_ACTOR_VERSION}`;
/** `kind` of an AsyncActor. */
export const ASYNC_ACTOR_KIND = "AsyncActor";
/** Port of the runtime's health server (`/healthz`, `/readyz`, `/metrics`). */
export const DEFAULT_HEALTH_PORT = 8080;

/** OpenTelemetry export settings of the runtime. */
export const tracingSchema = z.strictObject({
  endpoint: httpUrl.describe("OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT)."),
  protocol: z
    .enum(["grpc", "http/protobuf", "http/json"])
    .optional()
    .describe("OTLP protocol (OTEL_EXPORTER_OTLP_PROTOCOL)."),
});

/**
 * `spec` of an AsyncActor: Asya's own fields plus `transport`, `concurrency`, `namespace` and
 * `healthPort`. This zod schema is the single source of truth; the CRD's openAPIV3Schema is generated
 * from it.
 */
/**
 * A handler in its own container (SPEC section 9): the user's image runs a runtime process (Asya's
 * Python runtime, or `asya serve-handler`) on a Unix socket in a shared emptyDir; our runtime
 * container calls it with `ASYA_HANDLER_SOCKET`.
 */
export const externalRuntimeSchema = z.strictObject({
  type: z.literal("external"),
  image: z.string().min(1).describe("Image of the handler container (it serves the socket)."),
  command: z
    .array(z.string())
    .optional()
    .describe("Its entrypoint override, e.g. [python, -m, asya_runtime]."),
  args: z.array(z.string()).optional(),
  env: z.array(envVarSchema).optional().describe("Extra environment variables of the handler container."),
  resources: resourcesSchema
    .optional()
    .describe("Requests and limits of the handler container (GPUs go here)."),
});

export const asyncActorSpecSchema = z
  .strictObject({
    actor: actorName.describe("Logical actor name, used for queue naming and routing (DNS-1123 label)."),
    image: z.string().min(1).describe("Container image whose entrypoint runs the Asya runtime (`asya run`)."),
    handler: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Handler reference (ASYA_HANDLER), e.g. ./dist/handler.js#process; not with runtime external.",
      ),
    runtime: externalRuntimeSchema
      .optional()
      .describe("The handler in a container of its own, called over a Unix socket (SPEC section 9)."),
    crew: z
      .enum(["x-sink", "x-sump", "x-pause", "x-resume", "fan-in"])
      .optional()
      .describe("Run a crew actor instead of a handler (ASYA_CREW; e.g. a flow's fan-in aggregator)."),
    imagePullPolicy: z.enum(["Always", "IfNotPresent", "Never"]).default("IfNotPresent"),
    replicas: z
      .number()
      .int()
      .min(0)
      .default(1)
      .describe("Replica count, only used when scaling is disabled."),
    env: z.array(envVarSchema).optional().describe("Extra environment variables of the runtime container."),
    resources: resourcesSchema.optional().describe("Requests and limits, including GPUs (nvidia.com/gpu)."),
    tolerations: z.array(tolerationSchema).optional(),
    nodeSelector: z.record(z.string(), z.string()).optional(),
    volumes: z.array(volumeSchema).optional().describe("Extra pod volumes (any Kubernetes volume source)."),
    volumeMounts: z.array(volumeMountSchema).optional(),
    secretRefs: z.array(secretRefSchema).optional().describe("Secret keys exposed as environment variables."),
    scaling: scalingSchema.prefault({}).describe("KEDA autoscaling on queue depth."),
    resiliency: resiliencySchema
      .optional()
      .describe("Timeouts, retry policies and error rules (SPEC section 4)."),
    claimCheck: claimCheckSchema
      .optional()
      .describe(
        "Claim-check of large payloads (ASYA_CLAIM_CHECK_*): stored in s3 or a shared file volume, sent as x-asya-claim.",
      ),
    tracing: tracingSchema.optional(),
    transport: transportSchema,
    concurrency: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("Handler calls in flight per pod (ASYA_CONCURRENCY)."),
    namespace: actorName
      .optional()
      .describe("Mesh namespace for queue names (asya-<namespace>-<actor>); defaults to metadata.namespace."),
    healthPort: z
      .number()
      .int()
      .min(1)
      .max(65_535)
      .default(DEFAULT_HEALTH_PORT)
      .describe("ASYA_HEALTH_PORT."),
  })
  .meta({
    "x-kubernetes-validations": [
      {
        rule: "(has(self.handler) ? 1 : 0) + (has(self.runtime) ? 1 : 0) + (has(self.crew) ? 1 : 0) == 1",
        message: "set exactly one of handler, runtime and crew",
      },
    ],
  })
  .superRefine((spec, ctx) => {
    const set = [spec.handler, spec.runtime, spec.crew].filter((value) => value !== undefined).length;
    if (set !== 1) {
      ctx.addIssue({
        code: "custom",
        path: ["handler"],
        message:
          set === 0
            ? "set handler (a handler in the runtime's image), runtime (a handler container of its own) or crew (a crew actor)"
            : spec.crew !== undefined
              ? "set crew or a handler, not both: a crew actor runs no handler of yours"
              : "set handler or runtime, not both: with runtime external the handler is the runtime container's",
      });
    }
    // A file store is only shared through a volume: a directory of the container's own filesystem
    // would hold claims no other pod (nor this one after a restart) can read.
    const dir = spec.claimCheck?.store === "file" ? spec.claimCheck.dir : undefined;
    if (dir !== undefined && !(spec.volumeMounts ?? []).some((mount) => isUnderMount(dir, mount.mountPath))) {
      ctx.addIssue({
        code: "custom",
        path: ["claimCheck", "dir"],
        message:
          "must be at or below a volumeMounts[].mountPath: mount a ReadWriteMany volume shared by every actor reading the claims",
      });
    }
  });

/** `metadata` of an AsyncActor; server-populated fields (uid, resourceVersion, ...) are ignored. */
export const asyncActorMetadataSchema = z.looseObject({
  name: actorName.optional().describe("Object name; defaults to spec.actor."),
  namespace: actorName.optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** A whole AsyncActor document (`apiVersion`, `kind`, `metadata`, `spec`). */
export const asyncActorSchema = z.object({
  apiVersion: z.literal(ASYNC_ACTOR_API_VERSION),
  kind: z.literal(ASYNC_ACTOR_KIND),
  metadata: asyncActorMetadataSchema.prefault({}),
  spec: asyncActorSpecSchema,
});

/** An AsyncActor as written by a user (defaults not yet applied). */
export type AsyncActorInput = z.input<typeof asyncActorSchema>;
/** A parsed AsyncActor with every default applied. */
export type AsyncActor = z.output<typeof asyncActorSchema>;
/** A parsed AsyncActor `spec`. */
export type AsyncActorSpec = z.output<typeof asyncActorSpecSchema>;
