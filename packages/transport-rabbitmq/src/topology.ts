import { deadLetterQueueName } from "@asya/transport";
import type { Options } from "amqplib";
import type { RabbitMqQueueType } from "./rabbitmq-options.js";

/** Longest delay served by a delay queue (RabbitMQ accepts TTLs up to 2^32-1 ms; we stay well below). */
export const MAX_DELAY_MS = 7 * 24 * 3600 * 1000;

/** Whether `queue` is a dead-letter queue (name ends with `-dlq`); such queues get no DLX of their own. */
export function isDeadLetterQueue(queue: string): boolean {
  return queue.endsWith("-dlq");
}

/**
 * Arguments of a work queue or dead-letter queue. Every process declares a queue with exactly these
 * arguments (a mismatch is a 406 PRECONDITION_FAILED), so they depend only on the name and options.
 */
export function queueArguments(
  queue: string,
  queueType: RabbitMqQueueType,
  deliveryLimit: number,
): Record<string, unknown> {
  const args: Record<string, unknown> = { "x-queue-type": queueType };
  if (isDeadLetterQueue(queue)) return args;
  // Default exchange ("") + routing key = the DLQ's name: no extra exchange to declare or bind.
  args["x-dead-letter-exchange"] = "";
  args["x-dead-letter-routing-key"] = deadLetterQueueName(queue);
  if (queueType === "quorum") args["x-delivery-limit"] = deliveryLimit;
  return args;
}

/** Full `assertQueue` options of a work or dead-letter queue. */
export function queueOptions(
  queue: string,
  queueType: RabbitMqQueueType,
  deliveryLimit: number,
): Options.AssertQueue {
  return {
    durable: true,
    exclusive: false,
    autoDelete: false,
    arguments: queueArguments(queue, queueType, deliveryLimit),
  };
}

/**
 * Rounds a delay up to two significant digits (1234 -> 1300, 56789 -> 57000): at most ~10% late,
 * never early, and a bounded number of delay queues (90 per decade) even with jittered backoff.
 */
export function delayBucketMs(delayMs: number): number {
  const ms = Math.max(1, Math.ceil(delayMs));
  if (ms < 100) return ms;
  const step = 10 ** (Math.floor(Math.log10(ms)) - 1);
  return Math.ceil(ms / step) * step;
}

/** Name of the delay queue of `queue` for one bucket. The `.` cannot occur in DNS-1123 actor names. */
export function delayQueueName(queue: string, bucketMs: number): string {
  return `${queue}.delay.${bucketMs}`;
}

/** How long an idle delay queue lives after its last declaration (see {@link delayQueueOptions}). */
export function delayQueueExpiresMs(bucketMs: number): number {
  return bucketMs * 2 + 10 * 60_000;
}

/**
 * A delay queue: classic, durable, queue-level TTL (all messages share it, so the head always
 * expires first: no head-of-line blocking), dead-lettering back to the work queue, and `x-expires`
 * so unused buckets disappear. `x-expires` counts from the last declaration, not the last publish,
 * so publishers re-declare a bucket well before it could expire with messages inside.
 */
export function delayQueueOptions(queue: string, bucketMs: number): Options.AssertQueue {
  return {
    durable: true,
    exclusive: false,
    autoDelete: false,
    arguments: {
      "x-queue-type": "classic",
      "x-message-ttl": bucketMs,
      "x-expires": delayQueueExpiresMs(bucketMs),
      "x-dead-letter-exchange": "",
      "x-dead-letter-routing-key": queue,
    },
  };
}
