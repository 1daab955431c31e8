import { z } from "zod";

/** KEDA settings beyond the basics (Asya's `scaling.advanced`). */
export const scalingAdvancedSchema = z
  .strictObject({
    restoreToOriginalReplicaCount: z
      .boolean()
      .optional()
      .describe("Restore the Deployment's replica count when the ScaledObject is deleted."),
    formula: z.string().min(1).optional().describe("KEDA scalingModifiers formula; requires target."),
    target: z.string().min(1).optional().describe("Target of the composite metric."),
    activationTarget: z.string().min(1).optional().describe("Activation threshold of the composite metric."),
    metricType: z.enum(["AverageValue", "Value", "Utilization"]).optional(),
  })
  .meta({
    "x-kubernetes-validations": [
      { rule: "!has(self.formula) || has(self.target)", message: "formula requires target" },
    ],
  })
  .superRefine((value, ctx) => {
    if (value.formula !== undefined && value.target === undefined) {
      ctx.addIssue({ code: "custom", path: ["target"], message: "required when formula is set" });
    }
  });

/** KEDA autoscaling on queue depth (SPEC section 8); defaults as in Asya. */
export const scalingSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe("Render a KEDA ScaledObject; when false, `replicas` is used."),
    minReplicaCount: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe("0 = scale to zero when the queue is empty."),
    maxReplicaCount: z.number().int().min(1).default(10),
    pollingInterval: z.number().int().min(1).default(30).describe("Seconds between queue-depth checks."),
    cooldownPeriod: z
      .number()
      .int()
      .min(0)
      .default(300)
      .describe("Seconds after the last activity before scaling to zero."),
    queueLength: z.number().int().min(1).default(5).describe("Target messages per replica."),
    advanced: scalingAdvancedSchema.optional(),
  })
  .meta({
    "x-kubernetes-validations": [
      {
        rule: "self.minReplicaCount <= self.maxReplicaCount",
        message: "minReplicaCount must not exceed maxReplicaCount",
      },
    ],
  })
  .superRefine((value, ctx) => {
    if (value.minReplicaCount > value.maxReplicaCount) {
      ctx.addIssue({ code: "custom", path: ["minReplicaCount"], message: "must not exceed maxReplicaCount" });
    }
  });

/** Scaling settings of an AsyncActor (defaults applied). */
export type ScalingSpec = z.output<typeof scalingSchema>;
