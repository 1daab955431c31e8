import type { OutgoingMessage } from "@asya/transport";
import { TransportError } from "@asya/transport";
import type { PubSub } from "@google-cloud/pubsub";
import { z } from "zod";
import { PUBSUB_MAX_ACK_DEADLINE_SEC, PUBSUB_MAX_MESSAGE_BYTES } from "./constants.js";

/** Minimal structured logger; every message and field passed to it is already credential-free. */
export interface PubSubLogger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
  error?(message: string, fields?: Record<string, unknown>): void;
}

/** Picks the Pub/Sub ordering key of an outgoing message (`undefined` = unordered). */
export type OrderingKeyFn = (queue: string, message: OutgoingMessage) => string | undefined;

const isPubSubClient = (value: unknown): value is PubSub =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { topic?: unknown }).topic === "function" &&
  typeof (value as { subscription?: unknown }).subscription === "function";

/** zod schema of {@link PubSubTransportOptions}. */
export const pubSubTransportOptionsSchema = z
  .object({
    /** Google Cloud project that owns the topics and subscriptions. */
    projectId: z.string().min(1),
    /**
     * A ready `PubSub` client (the app owns credentials, retries, endpoints). It is not closed by
     * `transport.close()`. @default a client built from `projectId` and `apiEndpoint`
     */
    client: z.custom<PubSub>(isPubSubClient, { message: "expected a PubSub client" }).optional(),
    /**
     * gRPC endpoint (`host:port`). When unset the SDK uses `PUBSUB_EMULATOR_HOST` if that is set, else
     * `pubsub.googleapis.com`. @default undefined
     */
    apiEndpoint: z.string().min(1).optional(),
    /**
     * Create missing topics and subscriptions (and their `-dlq` pair) idempotently on first use.
     * Leave off in production where manifests or Terraform own them. @default false
     */
    autoCreate: z.boolean().optional(),
    /** Client-side flow control of each consumer. */
    flowControl: z
      .object({
        /** Messages held at once when `consume()` is given no `concurrency`. @default 1 */
        maxMessages: z.number().int().positive().optional(),
        /** Bytes of message data held at once per consumer. @default 104857600 (100 MiB) */
        maxBytes: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    /**
     * Ack deadline in seconds (10-600): the lease length the client keeps renewing, and the
     * subscription's deadline when `autoCreate` creates it. @default 60
     */
    ackDeadlineSec: z.number().int().min(10).max(PUBSUB_MAX_ACK_DEADLINE_SEC).optional(),
    /**
     * Longest time in seconds a delivery's lease is extended while its handler runs; further bounded
     * per consumer by `ConsumeOptions.maxProcessingMs`. @default 3600
     */
    maxExtensionSec: z.number().int().positive().optional(),
    /**
     * When set, subscriptions created by `autoCreate` get a dead-letter policy to `<queue>-dlq` after
     * this many delivery attempts (5-100). @default undefined (no policy)
     */
    maxDeliveryAttempts: z.number().int().min(5).max(100).optional(),
    /**
     * Chooses an ordering key per message. When set, publishing enables message ordering and
     * `autoCreate` creates subscriptions with ordering on. @default undefined (unordered)
     */
    orderingKey: z.custom<OrderingKeyFn>((value) => typeof value === "function").optional(),
    /** Largest body accepted by `publish`; larger ones reject with `TOO_LARGE`. @default 10485760 */
    maxMessageBytes: z.number().int().positive().max(PUBSUB_MAX_MESSAGE_BYTES).optional(),
    /** Time the publisher waits to fill a batch, in ms. @default 5 */
    publishBatchDelayMs: z.number().int().min(0).max(1000).optional(),
    /**
     * Where connection trouble goes: on first use the transport checks that the endpoint accepts
     * TCP connections and warns at once if not (the SDK retries each call for up to 60 s silently).
     * @default no logging (and no check)
     */
    logger: z.custom<PubSubLogger>((value) => typeof value === "object" && value !== null).optional(),
  })
  .strict();

/** Options of {@link createPubSubTransport} (the schema's input type: docs and validation cannot drift). */
export type PubSubTransportOptions = z.input<typeof pubSubTransportOptionsSchema>;

/** Options after validation, with defaults applied. */
export interface ResolvedPubSubOptions {
  readonly projectId: string;
  readonly client: PubSub | undefined;
  readonly apiEndpoint: string | undefined;
  readonly autoCreate: boolean;
  readonly maxMessages: number;
  readonly maxBytes: number;
  readonly ackDeadlineSec: number;
  readonly maxExtensionSec: number;
  readonly maxDeliveryAttempts: number | undefined;
  readonly orderingKey: OrderingKeyFn | undefined;
  readonly maxMessageBytes: number;
  readonly publishBatchDelayMs: number;
  readonly logger: PubSubLogger | undefined;
}

/**
 * Validates options once and applies defaults.
 *
 * @throws TransportError `INVALID_ARGUMENT` naming the offending option.
 */
export function resolvePubSubOptions(options: PubSubTransportOptions): ResolvedPubSubOptions {
  const parsed = pubSubTransportOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "options"}: ${issue.message}`,
    );
    throw new TransportError(`invalid options: ${issues.join("; ")}`, {
      code: "INVALID_ARGUMENT",
      retryable: false,
      transport: "pubsub",
      cause: parsed.error,
    });
  }
  const value = parsed.data;
  return {
    projectId: value.projectId,
    client: value.client,
    apiEndpoint: value.apiEndpoint,
    autoCreate: value.autoCreate ?? false,
    maxMessages: value.flowControl?.maxMessages ?? 1,
    maxBytes: value.flowControl?.maxBytes ?? 100 * 1024 * 1024,
    ackDeadlineSec: value.ackDeadlineSec ?? 60,
    maxExtensionSec: value.maxExtensionSec ?? 3600,
    maxDeliveryAttempts: value.maxDeliveryAttempts,
    orderingKey: value.orderingKey,
    maxMessageBytes: value.maxMessageBytes ?? PUBSUB_MAX_MESSAGE_BYTES,
    publishBatchDelayMs: value.publishBatchDelayMs ?? 5,
    logger: value.logger,
  };
}
