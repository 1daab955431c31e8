import { TransportError } from "@asya/transport";

// Pub/Sub resource ids: 3-255 chars, start with a letter, letters/digits/-_.~+%, not "goog*".
const RESOURCE_ID = /^[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/;

/**
 * Throws unless `queue` is a valid Pub/Sub topic/subscription id.
 *
 * @throws TransportError `INVALID_ARGUMENT`
 */
export function assertQueueName(queue: string): void {
  if (!RESOURCE_ID.test(queue) || queue.toLowerCase().startsWith("goog")) {
    throw new TransportError(`invalid queue name for Pub/Sub: ${JSON.stringify(queue)}`, {
      code: "INVALID_ARGUMENT",
      retryable: false,
      transport: "pubsub",
    });
  }
}

/** Full resource name of the topic of `queue`. */
export function topicPath(projectId: string, queue: string): string {
  return `projects/${projectId}/topics/${queue}`;
}

/** Full resource name of the subscription of `queue`. */
export function subscriptionPath(projectId: string, queue: string): string {
  return `projects/${projectId}/subscriptions/${queue}`;
}
