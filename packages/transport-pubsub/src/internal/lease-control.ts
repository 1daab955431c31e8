import type { Message, Subscription } from "@google-cloud/pubsub";

// `@google-cloud/pubsub` 5.x has no public "stop leasing this message and let it come back in N
// seconds" call: `modAck(n)` alone is overridden by the lease manager's next extension and races
// the batched receipt modAck. We reach into the subscriber's inventory and modAck queue, guarded by
// shape checks; when they are missing (another SDK version) callers fall back to `nack()`.

interface ModAckQueueShape {
  numPendingRequests: number;
  numInFlightRequests: number;
  numInRetryRequests?: number;
  flush(reason?: string): Promise<void>;
  onDrain(): Promise<void>;
}

interface SubscriberShape {
  _inventory: { remove(message: Message): void };
  _modAcks: ModAckQueueShape;
}

function subscriberOf(subscription: Subscription): SubscriberShape | undefined {
  const subscriber: unknown = (subscription as unknown as { _subscriber?: unknown })._subscriber;
  if (typeof subscriber !== "object" || subscriber === null) return undefined;
  const shape = subscriber as Partial<SubscriberShape>;
  if (typeof shape._inventory?.remove !== "function") return undefined;
  const queue = shape._modAcks;
  if (typeof queue?.flush !== "function" || typeof queue.onDrain !== "function") return undefined;
  if (typeof queue.numPendingRequests !== "number" || typeof queue.numInFlightRequests !== "number") {
    return undefined;
  }
  return shape as SubscriberShape;
}

async function drain(queue: ModAckQueueShape): Promise<void> {
  if (queue.numPendingRequests > 0) await queue.flush("asya-defer");
  if (queue.numInFlightRequests > 0 || (queue.numInRetryRequests ?? 0) > 0) await queue.onDrain();
}

/** True when {@link deferDelivery} can work with this SDK version. */
export function canDefer(subscription: Subscription): boolean {
  return subscriberOf(subscription) !== undefined;
}

/**
 * Stops leasing `message` and sets its ack deadline to `seconds`, so Pub/Sub redelivers it then.
 * Earlier modAcks (receipt, lease extensions) are flushed first so they cannot override ours.
 * Returns false (doing nothing) when the SDK internals are not as expected.
 */
export async function deferDelivery(
  subscription: Subscription,
  message: Message,
  seconds: number,
): Promise<boolean> {
  const subscriber = subscriberOf(subscription);
  if (subscriber === undefined) return false;
  subscriber._inventory.remove(message);
  await drain(subscriber._modAcks);
  await message.modAckWithResponse(seconds);
  await drain(subscriber._modAcks);
  return true;
}
