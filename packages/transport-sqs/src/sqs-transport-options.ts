import { TransportError } from "@asya/transport";
import { SQSClient } from "@aws-sdk/client-sqs";
import { z } from "zod";

/** SQS's largest message (body + attributes) since 2025: 1 MiB. */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;
/** Longest per-message `DelaySeconds` SQS accepts: 900 s. */
export const SQS_MAX_DELAY_SECONDS = 900;
/** Longest visibility timeout SQS accepts, counted from the receive: 12 h. */
export const SQS_MAX_VISIBILITY_SECONDS = 43_200;

/** zod schema of {@link SqsTransportOptions}; parsing fills the documented defaults. */
export const sqsTransportOptionsSchema = z
  .object({
    /** AWS region; ignored when `client` is given. @default the SDK default chain (`AWS_REGION`, profile) */
    region: z.string().min(1).optional(),
    /** Endpoint override (emulators, VPC endpoints); ignored when `client` is given. @default AWS */
    endpoint: z.url().optional(),
    /** A ready client; the application owns its configuration and lifecycle (not destroyed on close). */
    client: z.instanceof(SQSClient).optional(),
    /**
     * Queue URL prefix (`https://sqs.<region>.amazonaws.com/<account>/`); the URL is prefix + name.
     * Without it, URLs are looked up once per queue with `GetQueueUrl` and cached. @default lookup
     */
    queueUrlPrefix: z.url().optional(),
    /** Long-polling wait of each `ReceiveMessage` (0..20). @default 20 */
    waitTimeSeconds: z.number().int().min(0).max(20).default(20),
    /** Messages per `ReceiveMessage` / `SendMessageBatch` / `DeleteMessageBatch` (1..10). @default 10 */
    batchSize: z.number().int().min(1).max(10).default(10),
    /** Visibility timeout set on every receive and re-set by each heartbeat (1..43200). @default 30 */
    visibilityTimeoutSec: z.number().int().min(1).max(SQS_MAX_VISIBILITY_SECONDS).default(30),
    /** Fraction of the visibility timeout after which (and then every such interval) a running handler's message is extended. @default 0.5 */
    heartbeatFraction: z.number().gt(0).max(0.9).default(0.5),
    /** Default handler concurrency when `ConsumeOptions.concurrency` is not given. @default 1 */
    concurrency: z.number().int().min(1).max(10_000).default(1),
    /** Default `ConsumeOptions.maxProcessingMs`: stop extending visibility after this long. @default 900000 */
    maxProcessingMs: z.number().int().positive().default(900_000),
    /** Create missing queues (and `<queue>-dlq` with a RedrivePolicy) on first use. Local use only. @default false */
    autoCreate: z.boolean().default(false),
    /** `maxReceiveCount` of the RedrivePolicy written by `autoCreate` / `ensureQueue`. @default 10 */
    maxReceiveCount: z.number().int().min(1).max(1000).default(10),
    /** Largest message accepted, counting body + attribute names, types and values as SQS does. @default 1048576 */
    maxMessageBytes: z.number().int().min(1024).max(SQS_MAX_MESSAGE_BYTES).default(SQS_MAX_MESSAGE_BYTES),
    /** How long acks wait to be grouped into one `DeleteMessageBatch`. @default 5 */
    deleteBatchWindowMs: z.number().int().min(0).max(1000).default(5),
    /**
     * Send text containing characters above U+FFFF as text (AWS accepts them). `false` sends such
     * bodies and attributes base64-encoded instead (for emulators that reject them, e.g. fauxqs 1.9.2).
     * @default true
     */
    supplementaryCharsAsText: z.boolean().default(true),
    /** FIFO queues (`*.fifo`): the `MessageGroupId` when the message has no group attribute. @default "asya" */
    messageGroupId: z.string().min(1).max(128).default("asya"),
    /** FIFO queues: attribute whose value becomes the `MessageGroupId`. @default "x-asya-message-group-id" */
    messageGroupIdAttribute: z.string().min(1).default("x-asya-message-group-id"),
    /** FIFO queues: attribute whose value becomes the `MessageDeduplicationId` (else content-based). @default "x-asya-deduplication-id" */
    deduplicationIdAttribute: z.string().min(1).default("x-asya-deduplication-id"),
  })
  .strict();

/**
 * Options of {@link createSqsTransport} (the schema's input type, so docs and validation cannot
 * drift). Credentials always come from the SDK's default chain.
 */
export type SqsTransportOptions = z.input<typeof sqsTransportOptionsSchema>;

/** Options after validation and defaults. */
export type ResolvedSqsTransportOptions = z.output<typeof sqsTransportOptionsSchema>;

/**
 * Validates options once.
 *
 * @throws TransportError `INVALID_ARGUMENT` naming the offending option.
 */
export function resolveSqsTransportOptions(options: SqsTransportOptions): ResolvedSqsTransportOptions {
  const parsed = sqsTransportOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((issue) => `${issue.path.join(".") || "(options)"}: ${issue.message}`)
      .join("; ");
    throw new TransportError(`invalid options: ${detail}`, {
      code: "INVALID_ARGUMENT",
      retryable: false,
      transport: "sqs",
      cause: parsed.error,
    });
  }
  return parsed.data;
}
