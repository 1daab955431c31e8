import type { ChannelModel } from "amqplib";
import { z } from "zod";

/** Minimal structured logger; every message and field passed to it is already credential-free. */
export interface RabbitMqLogger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
  error?(message: string, fields?: Record<string, unknown>): void;
}

/** Queue type of work and dead-letter queues. */
export type RabbitMqQueueType = "quorum" | "classic";

const positiveInt = z.number().int().positive();

/** zod schema of {@link RabbitMqTransportOptions} (validated once in the factory). */
export const rabbitMqTransportOptionsSchema = z
  .object({
    /** `amqp://` or `amqps://` URL. Required unless `connection` is given. Never logged unredacted. */
    url: z
      .string()
      .refine((value) => /^amqps?:\/\//i.test(value), { message: "must be an amqp:// or amqps:// URL" })
      .optional(),
    /**
     * A ready amqplib connection (`await amqplib.connect(...)`). The application owns it: the transport
     * does not close it and cannot reconnect it (without `url`, a lost connection stays lost).
     */
    connection: z.custom<ChannelModel>((value) => typeof value === "object" && value !== null).optional(),
    /** Default consumer concurrency (= AMQP prefetch) when `consume` gets no `concurrency`. @default 1 */
    prefetch: positiveInt.max(65535).default(1),
    /** Wait for publisher confirms before `publish` resolves. @default true */
    publishConfirms: z.boolean().default(true),
    /** AMQP heartbeat interval negotiated with the broker, in seconds (0 disables). @default 30 */
    heartbeatSec: z.number().int().min(0).max(65535).default(30),
    /** Type of work and dead-letter queues; must match across every process using them. @default "quorum" */
    queueType: z.enum(["quorum", "classic"]).default("quorum"),
    /**
     * Quorum queues only: deliveries (crash/disconnect redeliveries; `retry` re-publishes do not count)
     * after which the broker dead-letters a message to `<queue>-dlq`. @default 20 (RabbitMQ 4.x default)
     */
    deliveryLimit: positiveInt.default(20),
    /** Upper bound for one publish, including waiting out a connection outage. @default 30000 */
    publishTimeoutMs: positiveInt.default(30_000),
    /** TCP connect + AMQP handshake timeout per attempt. @default 10000 */
    connectTimeoutMs: positiveInt.default(10_000),
    /** First reconnect delay; doubles per failed attempt, with jitter. @default 100 */
    reconnectInitialDelayMs: positiveInt.default(100),
    /** Cap of the reconnect delay. @default 5000 */
    reconnectMaxDelayMs: positiveInt.default(5_000),
    /** Largest body accepted by `publish` (RabbitMQ 4.x default `max_message_size`). @default 16777216 */
    maxMessageBytes: positiveInt.default(16 * 1024 * 1024),
    /** Connection name shown in the management UI. @default "asya-ts" */
    connectionName: z.string().min(1).default("asya-ts"),
    /** Extra amqplib socket options (TLS `ca`, `cert`, `key`, ...). `noDelay` is true unless set here. */
    socketOptions: z.record(z.string(), z.unknown()).optional(),
    /** Where connection events go. @default no logging */
    logger: z.custom<RabbitMqLogger>((value) => typeof value === "object" && value !== null).optional(),
  })
  .refine((value) => value.url !== undefined || value.connection !== undefined, {
    message: "either url or connection is required",
    path: ["url"],
  });

/** Options of {@link createRabbitMqTransport} (the schema's input type: docs and validation cannot drift). */
export type RabbitMqTransportOptions = z.input<typeof rabbitMqTransportOptionsSchema>;

/** Options after validation and defaults. */
export type ResolvedRabbitMqOptions = z.output<typeof rabbitMqTransportOptionsSchema>;
