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

/** Options of {@link createRabbitMqTransport}. */
export interface RabbitMqTransportOptions {
  /** `amqp://` or `amqps://` URL. Required unless `connection` is given. Never logged unredacted. */
  readonly url?: string;
  /**
   * A ready amqplib connection (`await amqplib.connect(...)`). The application owns it: the transport
   * does not close it and cannot reconnect it (without `url`, a lost connection stays lost).
   */
  readonly connection?: ChannelModel;
  /** Default consumer concurrency (= AMQP prefetch) when `consume` gets no `concurrency`. @default 1 */
  readonly prefetch?: number;
  /** Wait for publisher confirms before `publish` resolves. @default true */
  readonly publishConfirms?: boolean;
  /** AMQP heartbeat interval negotiated with the broker, in seconds (0 disables). @default 30 */
  readonly heartbeatSec?: number;
  /** Type of work and dead-letter queues; must match across every process using them. @default "quorum" */
  readonly queueType?: RabbitMqQueueType;
  /**
   * Quorum queues only: deliveries (crash/disconnect redeliveries; `retry` re-publishes do not count)
   * after which the broker dead-letters a message to `<queue>-dlq`. @default 20 (RabbitMQ 4.x default)
   */
  readonly deliveryLimit?: number;
  /** Upper bound for one publish, including waiting out a connection outage. @default 30000 */
  readonly publishTimeoutMs?: number;
  /** TCP connect + AMQP handshake timeout per attempt. @default 10000 */
  readonly connectTimeoutMs?: number;
  /** First reconnect delay; doubles per failed attempt, with jitter. @default 100 */
  readonly reconnectInitialDelayMs?: number;
  /** Cap of the reconnect delay. @default 5000 */
  readonly reconnectMaxDelayMs?: number;
  /** Largest body accepted by `publish` (RabbitMQ 4.x default `max_message_size`). @default 16777216 */
  readonly maxMessageBytes?: number;
  /** Connection name shown in the management UI. @default "asya-ts" */
  readonly connectionName?: string;
  /** Extra amqplib socket options (TLS `ca`, `cert`, `key`, ...). */
  readonly socketOptions?: Readonly<Record<string, unknown>>;
  /** Where connection events go. @default no logging */
  readonly logger?: RabbitMqLogger;
}

const positiveInt = z.number().int().positive();

/** zod schema of {@link RabbitMqTransportOptions} (validated once in the factory). */
export const rabbitMqTransportOptionsSchema = z
  .object({
    url: z
      .string()
      .refine((value) => /^amqps?:\/\//i.test(value), { message: "must be an amqp:// or amqps:// URL" })
      .optional(),
    connection: z.custom<ChannelModel>((value) => typeof value === "object" && value !== null).optional(),
    prefetch: positiveInt.max(65535).default(1),
    publishConfirms: z.boolean().default(true),
    heartbeatSec: z.number().int().min(0).max(65535).default(30),
    queueType: z.enum(["quorum", "classic"]).default("quorum"),
    deliveryLimit: positiveInt.default(20),
    publishTimeoutMs: positiveInt.default(30_000),
    connectTimeoutMs: positiveInt.default(10_000),
    reconnectInitialDelayMs: positiveInt.default(100),
    reconnectMaxDelayMs: positiveInt.default(5_000),
    maxMessageBytes: positiveInt.default(16 * 1024 * 1024),
    connectionName: z.string().min(1).default("asya-ts"),
    socketOptions: z.record(z.string(), z.unknown()).optional(),
    logger: z.custom<RabbitMqLogger>((value) => typeof value === "object" && value !== null).optional(),
  })
  .refine((value) => value.url !== undefined || value.connection !== undefined, {
    message: "either url or connection is required",
    path: ["url"],
  });

/** Options after validation and defaults. */
export type ResolvedRabbitMqOptions = z.output<typeof rabbitMqTransportOptionsSchema>;
