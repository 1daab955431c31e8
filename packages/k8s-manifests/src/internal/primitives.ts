import { actorNameSchema, durationSchema } from "@asya/envelope";
import { z } from "zod";

/** An actor name: a DNS-1123 label, the same rule `queueName` enforces. */
export const actorName = actorNameSchema.max(63);

/** Kubernetes resource quantity (`"500m"`, `"2Gi"`, `1`). Numbers must be integers (int-or-string). */
export const quantity = z.union([
  z.number().int().min(0),
  z
    .string()
    .regex(
      /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/,
      { error: "must be a Kubernetes quantity such as 500m, 2Gi or 1" },
    ),
]);

/** Milliseconds as an integer, or a string such as `"500ms"`, `"2s"`, `"1m"` (the runtime's rule). */
export const duration = durationSchema;

/** A key of a Secret in the actor's namespace. Only references ever appear in manifests, never values. */
export const secretKeyRef = z.strictObject({
  name: actorName.describe("Name of the Secret (same namespace as the actor)."),
  key: z
    .string()
    .regex(/^[-._a-zA-Z0-9]+$/, { error: "must be a valid Secret key" })
    .describe("Key within the Secret."),
});

/** An http(s) URL. */
export const httpUrl = z
  .string()
  .regex(/^https?:\/\/[^\s]+$/, { error: "must be an http:// or https:// URL" });

/** A free-form JSON object (rendered as `x-kubernetes-preserve-unknown-fields` in the CRD). */
export const freeForm = z.record(z.string(), z.unknown());
