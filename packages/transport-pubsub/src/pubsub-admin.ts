import { deadLetterQueueName, type EnsureQueueOptions } from "@asya/transport";
import type { PubSub } from "@google-cloud/pubsub";
import { classifyPubSubError } from "./classify-pubsub-error.js";
import { subscriptionPath, topicPath } from "./internal/names.js";
import type { ResolvedPubSubOptions } from "./pubsub-options.js";

const ALREADY_EXISTS = 6;

function isAlreadyExists(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === ALREADY_EXISTS;
}

async function idempotent(operation: () => Promise<unknown>, what: string): Promise<void> {
  try {
    await operation();
  } catch (error) {
    if (!isAlreadyExists(error)) throw classifyPubSubError(error, what);
  }
}

/**
 * Creates the topic and subscription named `queue` (and, unless disabled, `<queue>-dlq` with its
 * own subscription so dead letters are retained). Existing resources are left as they are.
 */
export async function ensurePubSubQueue(
  client: PubSub,
  options: ResolvedPubSubOptions,
  queue: string,
  ensureOptions: EnsureQueueOptions = {},
): Promise<void> {
  const { projectId } = options;
  const withDeadLetter = ensureOptions.deadLetter ?? true;
  const dlq = deadLetterQueueName(queue);
  if (withDeadLetter) await ensurePubSubQueue(client, options, dlq, { deadLetter: false });
  const topic = topicPath(projectId, queue);
  await idempotent(() => client.createTopic(topic), `create topic ${queue}`);
  const deadLetterPolicy =
    withDeadLetter && options.maxDeliveryAttempts !== undefined
      ? { deadLetterTopic: topicPath(projectId, dlq), maxDeliveryAttempts: options.maxDeliveryAttempts }
      : undefined;
  await idempotent(
    () =>
      client.topic(topic).createSubscription(subscriptionPath(projectId, queue), {
        ackDeadlineSeconds: options.ackDeadlineSec,
        enableMessageOrdering: options.orderingKey !== undefined,
        ...(deadLetterPolicy === undefined ? {} : { deadLetterPolicy }),
      }),
    `create subscription ${queue}`,
  );
}
