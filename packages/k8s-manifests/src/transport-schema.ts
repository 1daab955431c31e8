import { z } from "zod";
import { httpUrl, secretKeyRef } from "./internal/primitives.js";

/** RabbitMQ settings: the AMQP URL (with credentials) only ever comes from a Secret. */
export const rabbitMqSettingsSchema = z.strictObject({
  urlSecretRef: secretKeyRef.describe(
    "Secret key holding the AMQP URL (amqp://user:pass@host:5672/vhost). Feeds ASYA_RABBITMQ_URL and KEDA's host.",
  ),
  prefetch: z.number().int().min(1).optional().describe("ASYA_RABBITMQ_PREFETCH."),
});

/** Amazon SQS settings. Authentication is pod identity (IRSA / EKS Pod Identity), never static keys. */
export const sqsSettingsSchema = z.strictObject({
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-[0-9]+$/, { error: "must be an AWS region such as eu-west-1" })
    .describe("AWS region of the queues."),
  accountId: z
    .string()
    .regex(/^[0-9]{12}$/, { error: "must be a 12-digit AWS account id" })
    .describe("AWS account that owns the queues (builds KEDA's queueURL)."),
  endpoint: httpUrl.optional().describe("Custom SQS endpoint (LocalStack, VPC endpoint)."),
  roleArn: z
    .string()
    .regex(/^arn:aws[-a-z]*:iam::[0-9]{12}:role\/.+$/, { error: "must be an IAM role ARN" })
    .optional()
    .describe(
      "IAM role for the actor's ServiceAccount (IRSA annotation); KEDA then uses the workload identity.",
    ),
  waitTimeSeconds: z.number().int().min(0).max(20).optional().describe("ASYA_SQS_WAIT_TIME_SECONDS."),
  visibilityTimeoutSeconds: z
    .number()
    .int()
    .min(0)
    .max(43_200)
    .optional()
    .describe("ASYA_SQS_VISIBILITY_TIMEOUT."),
});

/** Google Cloud Pub/Sub settings: workload identity by default, or a Secret with a key file. */
export const pubSubSettingsSchema = z
  .strictObject({
    projectId: z
      .string()
      .regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, { error: "must be a GCP project id" })
      .describe("GCP project of the topics and subscriptions."),
    endpoint: z.string().min(1).optional().describe("ASYA_PUBSUB_ENDPOINT (e.g. an emulator host:port)."),
    gcpServiceAccount: z
      .string()
      .regex(/^[^@\s]+@[^@\s]+\.iam\.gserviceaccount\.com$/, { error: "must be a GCP service account email" })
      .optional()
      .describe("Workload identity: GCP service account bound to the actor's ServiceAccount."),
    credentialsSecretRef: secretKeyRef
      .optional()
      .describe("Instead of workload identity: Secret key holding a service account JSON key file."),
  })
  .meta({
    "x-kubernetes-validations": [
      {
        rule: "!(has(self.gcpServiceAccount) && has(self.credentialsSecretRef))",
        message: "choose one identity",
      },
    ],
  })
  .superRefine((value, ctx) => {
    if (value.gcpServiceAccount !== undefined && value.credentialsSecretRef !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["credentialsSecretRef"],
        message: "use either gcpServiceAccount (workload identity) or credentialsSecretRef, not both",
      });
    }
  });

/** Which broker the actor consumes from, with that broker's settings (exactly one settings block). */
export const transportSchema = z
  .strictObject({
    type: z
      .enum(["rabbitmq", "sqs", "pubsub"])
      .describe("The broker; the matching settings block is required."),
    rabbitmq: rabbitMqSettingsSchema.optional(),
    sqs: sqsSettingsSchema.optional(),
    pubsub: pubSubSettingsSchema.optional(),
  })
  .meta({
    "x-kubernetes-validations": [
      {
        rule: "has(self.rabbitmq) == (self.type == 'rabbitmq')",
        message: "rabbitmq settings iff type is rabbitmq",
      },
      { rule: "has(self.sqs) == (self.type == 'sqs')", message: "sqs settings iff type is sqs" },
      { rule: "has(self.pubsub) == (self.type == 'pubsub')", message: "pubsub settings iff type is pubsub" },
    ],
  })
  .superRefine((value, ctx) => {
    for (const kind of ["rabbitmq", "sqs", "pubsub"] as const) {
      if (kind === value.type && value[kind] === undefined) {
        ctx.addIssue({ code: "custom", path: [kind], message: `required when type is ${kind}` });
      } else if (kind !== value.type && value[kind] !== undefined) {
        ctx.addIssue({ code: "custom", path: [kind], message: `not allowed when type is ${value.type}` });
      }
    }
  });

/** Transport of an AsyncActor. */
export type TransportSpec = z.output<typeof transportSchema>;
