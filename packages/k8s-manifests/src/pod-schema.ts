import { z } from "zod";
import { actorName, freeForm, quantity } from "./internal/primitives.js";

/** One extra environment variable of the runtime container (a literal value or a `valueFrom` reference). */
export const envVarSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[-._a-zA-Z][-._a-zA-Z0-9]*$/, { error: "must be a valid environment variable name" })
    .describe("Variable name."),
  value: z
    .string()
    .optional()
    .describe("Literal value (never put secrets here: use valueFrom or secretRefs)."),
  valueFrom: freeForm
    .optional()
    .describe("Kubernetes EnvVarSource (secretKeyRef, configMapKeyRef, fieldRef...)."),
});

/** Container resource requests and limits; extended resources such as `nvidia.com/gpu` are allowed. */
export const resourcesSchema = z.strictObject({
  requests: z.record(z.string(), quantity).optional().describe("Requests, e.g. cpu: 500m, memory: 1Gi."),
  limits: z.record(z.string(), quantity).optional().describe('Limits, e.g. "nvidia.com/gpu": 1.'),
});

/** A pod toleration. */
export const tolerationSchema = z.strictObject({
  key: z.string().optional(),
  operator: z.enum(["Exists", "Equal"]).optional(),
  value: z.string().optional(),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
  tolerationSeconds: z.number().int().optional(),
});

/** A pod volume: `name` plus any Kubernetes volume source, passed through unchanged. */
export const volumeSchema = z.looseObject({ name: actorName.describe("Volume name.") });

/** A volume mount of the runtime container. */
export const volumeMountSchema = z.strictObject({
  name: z.string().min(1),
  mountPath: z.string().regex(/^\//, { error: "must be an absolute path" }),
  readOnly: z.boolean().optional(),
  subPath: z.string().optional(),
  subPathExpr: z.string().optional(),
  mountPropagation: z.enum(["None", "HostToContainer", "Bidirectional"]).optional(),
});

/** Secret keys exposed as environment variables (Asya's `secretRefs`). */
export const secretRefSchema = z.strictObject({
  secretName: actorName.describe("Name of the Secret in the actor's namespace."),
  keys: z
    .array(
      z.strictObject({
        key: z.string().min(1).describe("Key within the Secret."),
        envVar: z
          .string()
          .regex(/^[-._a-zA-Z][-._a-zA-Z0-9]*$/, { error: "must be a valid environment variable name" })
          .describe("Environment variable to expose it as."),
      }),
    )
    .min(1),
});

/** Environment variable of the runtime container. */
export type EnvVarSpec = z.output<typeof envVarSchema>;
/** Secret reference of an AsyncActor. */
export type SecretRefSpec = z.output<typeof secretRefSchema>;
