import { DEAD_LETTER_REASON_ATTRIBUTE, type OutgoingMessage, type ReceivedMessage } from "@asya/transport";
import type { ConsumeMessage, Options } from "amqplib";
import { isDeadLetterQueue } from "../topology.js";

/** Attempt count carried across `retry` re-publishes (1 = first delivery). */
export const DELIVERY_COUNT_HEADER = "x-asya-delivery-count";
const HIDDEN_HEADERS = new Set([DELIVERY_COUNT_HEADER, "x-delivery-count", "x-death"]);
const HIDDEN_PREFIXES = ["x-first-death-", "x-last-death-"];

/** Everything needed to publish one message (first publish, retry copy or dead-letter copy). */
export interface WireMessage {
  readonly body: Uint8Array;
  readonly attributes: Readonly<Record<string, string>>;
  readonly messageId: string;
  /** Attempt number the next delivery will report. */
  readonly deliveryCount: number;
}

/** Builds a wire message for a fresh publish. */
export function wireFromOutgoing(message: OutgoingMessage, messageId: string): WireMessage {
  return { body: message.body, attributes: message.attributes ?? {}, messageId, deliveryCount: 1 };
}

/** The body as a Buffer view (no copy). */
export function bodyBuffer(body: Uint8Array): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/**
 * amqplib publish options: persistent, mandatory, message id, attributes as headers (omitted when
 * empty: encoding a header table is a measurable share of the per-message CPU).
 */
export function publishOptions(wire: WireMessage): Options.Publish {
  const options: Options.Publish = { persistent: true, mandatory: true, messageId: wire.messageId };
  const hasAttributes = Object.keys(wire.attributes).length > 0;
  if (!hasAttributes && wire.deliveryCount <= 1) return options;
  const headers: Record<string, string | number> = { ...wire.attributes };
  if (wire.deliveryCount > 1) headers[DELIVERY_COUNT_HEADER] = wire.deliveryCount;
  options.headers = headers;
  return options;
}

function headerNumber(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined;
}

function lastDeathReason(headers: Record<string, unknown>): string | undefined {
  const deaths = headers["x-death"];
  const first = Array.isArray(deaths) ? (deaths[0] as Record<string, unknown> | undefined) : undefined;
  const reason = first?.reason ?? headers["x-first-death-reason"];
  return typeof reason === "string" ? reason : undefined;
}

/**
 * Attempt number of a delivery: the re-publish counter (survives restarts because it is in the
 * message) plus crash/disconnect redeliveries of this copy — quorum queues count them in
 * `x-delivery-count` (persisted by the broker); classic queues only say `redelivered`.
 */
export function deliveryCountOf(message: ConsumeMessage): number {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  const base = Math.max(1, headerNumber(headers[DELIVERY_COUNT_HEADER]) ?? 1);
  const returns = headerNumber(headers["x-delivery-count"]) ?? 0;
  return base + Math.max(returns, message.fields.redelivered ? 1 : 0);
}

/**
 * The string attributes of a delivery (internal and broker headers removed). On a dead-letter queue a
 * message the broker dead-lettered itself (delivery limit, reject fallback) gets the reason
 * `rabbitmq:<x-death reason>` so the reason attribute is always present there.
 */
export function attributesOf(queue: string, message: ConsumeMessage): Record<string, string> {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (HIDDEN_HEADERS.has(key) || HIDDEN_PREFIXES.some((prefix) => key.startsWith(prefix))) continue;
    if (typeof value === "string") attributes[key] = value;
    else if (typeof value === "number" || typeof value === "boolean") attributes[key] = String(value);
    else if (Buffer.isBuffer(value)) attributes[key] = value.toString("utf8");
  }
  if (isDeadLetterQueue(queue) && attributes[DEAD_LETTER_REASON_ATTRIBUTE] === undefined) {
    const reason = lastDeathReason(headers);
    if (reason !== undefined) attributes[DEAD_LETTER_REASON_ATTRIBUTE] = `rabbitmq:${reason}`;
  }
  return attributes;
}

/** The contract view of a delivery. */
export function receivedFrom(queue: string, message: ConsumeMessage, fallbackId: string): ReceivedMessage {
  const content = message.content;
  return {
    queue,
    id: typeof message.properties.messageId === "string" ? message.properties.messageId : fallbackId,
    body: new Uint8Array(content.buffer, content.byteOffset, content.byteLength),
    attributes: attributesOf(queue, message),
    deliveryCount: deliveryCountOf(message),
  };
}
