import {
  type ConsumeOptions,
  DEAD_LETTER_REASON_ATTRIBUTE,
  type Disposition,
  deadLetterQueueName,
  type MessageHandler,
  type ReceivedMessage,
  type Subscription,
  TransportError,
} from "@asya/transport";
import type { Message, PubSub, Subscription as PubSubSubscription } from "@google-cloud/pubsub";
import { classifyPubSubError } from "./classify-pubsub-error.js";
import { DELIVER_AT_ATTRIBUTE, EMPTY_BODY_ATTRIBUTE, PUBSUB_MAX_ACK_DEADLINE_SEC } from "./constants.js";
import { publicAttributes } from "./internal/attributes.js";
import { DeliveryCounter } from "./internal/delivery-counter.js";
import { deferDelivery } from "./internal/lease-control.js";
import type { PubSubModule } from "./internal/load-sdk.js";
import { subscriptionPath, topicPath } from "./internal/names.js";
import type { ResolvedPubSubOptions } from "./pubsub-options.js";

/** What a consumer needs from its transport. */
export interface ConsumerContext {
  readonly sdk: PubSubModule;
  readonly client: PubSub;
  readonly options: ResolvedPubSubOptions;
  /** Publishes raw bytes to a full topic path (creating `<queue>-dlq` first under autoCreate). */
  publishRaw(
    topic: string,
    body: Uint8Array,
    attributes: Record<string, string>,
    orderingKey: string | undefined,
  ): Promise<void>;
  /** Under autoCreate, makes sure the dead-letter queue of `queue` exists. */
  ensureDeadLetterQueue(queue: string): Promise<void>;
  /** Reports consumer health changes to the transport's `isReady()`. */
  setHealthy(healthy: boolean): void;
}

/** A running consumer; `abort()` is the forced stop used by `transport.close()`. */
export interface PubSubConsumer extends Subscription {
  /**
   * Stops at once: aborts every in-flight handler's signal and nacks its delivery so Pub/Sub
   * redelivers it immediately; later dispositions of those handlers are ignored.
   */
  abort(): Promise<void>;
}

interface InFlightDelivery {
  readonly message: Message;
  readonly controller: AbortController;
  abandoned: boolean;
}

/** Reads the subscription's dead-letter topic; `undefined` when none or when not allowed to look. */
async function deadLetterTopicOf(
  subscription: PubSubSubscription,
  queue: string,
): Promise<string | undefined> {
  try {
    const [metadata] = await subscription.getMetadata();
    const topic = metadata.deadLetterPolicy?.deadLetterTopic;
    return typeof topic === "string" && topic !== "" ? topic : undefined;
  } catch (error) {
    const classified = classifyPubSubError(error, `read subscription ${queue}`);
    // subscriptions.get needs roles/pubsub.viewer; without it we publish dead letters to <queue>-dlq.
    if (classified.code === "ACCESS_DENIED") return undefined;
    throw classified;
  }
}

/** Starts a streaming-pull consumer on the subscription named `queue`. */
export async function startConsumer(
  context: ConsumerContext,
  queue: string,
  handler: MessageHandler,
  consumeOptions: ConsumeOptions,
): Promise<PubSubConsumer> {
  const { sdk, client, options } = context;
  const { Duration } = sdk;
  const name = subscriptionPath(options.projectId, queue);
  const maxMessages = consumeOptions.concurrency ?? options.maxMessages;
  const maxExtensionMs = Math.min(
    options.maxExtensionSec * 1000,
    consumeOptions.maxProcessingMs ?? Number.POSITIVE_INFINITY,
  );
  const deadLetterTopic = await deadLetterTopicOf(client.subscription(name), queue);
  const subscription = client.subscription(name, {
    flowControl: { maxMessages, maxBytes: options.maxBytes, allowExcessMessages: false },
    minAckDeadline: Duration.from({ seconds: options.ackDeadlineSec }),
    maxAckDeadline: Duration.from({ seconds: options.ackDeadlineSec }),
    maxExtensionTime: Duration.from({ milliseconds: Math.max(1000, maxExtensionMs) }),
    // stop() waits for our handlers first; by then only undispatched messages remain: nack them.
    closeOptions: { behavior: "NACK", timeout: Duration.from({ seconds: 30 }) },
  });
  const counter = new DeliveryCounter();
  const inFlight = new Set<Promise<void>>();
  const deliveries = new Set<InFlightDelivery>();
  const reportError = (error: unknown, message?: ReceivedMessage): void => {
    try {
      consumeOptions.onError?.(error, message);
    } catch {
      // a throwing onError must not break settlement
    }
  };
  let stopping = false;

  const publishCopy = (
    topic: string,
    message: Message,
    received: ReceivedMessage,
    extra: Record<string, string>,
  ): Promise<void> =>
    context.publishRaw(
      topic,
      received.body,
      { ...received.attributes, ...extra },
      message.orderingKey || undefined,
    );

  const settle = async (
    message: Message,
    received: ReceivedMessage,
    disposition: Disposition,
  ): Promise<void> => {
    switch (disposition.kind) {
      case "ack":
        await message.ackWithResponse();
        counter.forget(message.id);
        return;
      case "retry": {
        const delayMs = disposition.delayMs ?? 0;
        if (delayMs <= 0) {
          await message.nackWithResponse();
          return;
        }
        // The ack deadline is the delay: at most 600 s (capabilities.maxDelayMs), cut to it beyond.
        const delaySec = Math.min(PUBSUB_MAX_ACK_DEADLINE_SEC, Math.ceil(delayMs / 1000));
        if (!(await deferDelivery(subscription, message, delaySec))) await message.nackWithResponse();
        return;
      }
      case "deadLetter": {
        let topic = deadLetterTopic;
        if (topic === undefined) {
          await context.ensureDeadLetterQueue(queue);
          topic = topicPath(options.projectId, deadLetterQueueName(queue));
        }
        await publishCopy(topic, message, received, { [DEAD_LETTER_REASON_ATTRIBUTE]: disposition.reason });
        await message.ackWithResponse();
        counter.forget(message.id);
        return;
      }
    }
  };

  const abandon = (delivery: InFlightDelivery, reason: TransportError): void => {
    if (delivery.abandoned) return;
    delivery.abandoned = true;
    delivery.message.nack();
    delivery.controller.abort(reason);
  };

  const handleDelivery = async (message: Message): Promise<void> => {
    const deliverAt = Number(message.attributes[DELIVER_AT_ATTRIBUTE] ?? 0);
    const waitMs = deliverAt - Date.now();
    if (waitMs > 0) {
      const seconds = Math.min(PUBSUB_MAX_ACK_DEADLINE_SEC, Math.max(1, Math.ceil(waitMs / 1000)));
      if (await deferDelivery(subscription, message, seconds)) return;
      // SDK internals not as expected: hold it a while, then hand it back (never deliver early).
      await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, 10_000)));
      if (deliverAt > Date.now()) {
        message.nack();
        return;
      }
    }
    const data = message.attributes[EMPTY_BODY_ATTRIBUTE] === "1" ? Buffer.alloc(0) : message.data;
    // deliveryAttempt is only populated when the subscription has a dead-letter policy.
    const attempt = message.deliveryAttempt > 0 ? message.deliveryAttempt : counter.next(message.id);
    const received: ReceivedMessage = {
      queue,
      id: message.id,
      body: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      attributes: publicAttributes(message.attributes),
      deliveryCount: attempt,
    };
    const controller = new AbortController();
    const delivery: InFlightDelivery = { message, controller, abandoned: false };
    deliveries.add(delivery);
    // Past this point the SDK stops extending the lease and Pub/Sub will redeliver.
    // The SDK stops extending the lease at maxExtensionTime; give the delivery back then, since
    // Pub/Sub would redeliver it anyway, and tell the handler to give up.
    const leaseTimer = setTimeout(
      () =>
        abandon(
          delivery,
          new TransportError(`lease of message ${message.id} on ${queue} reached ${maxExtensionMs} ms`, {
            code: "TIMEOUT",
            retryable: true,
            transport: "pubsub",
          }),
        ),
      maxExtensionMs,
    );
    let disposition: Disposition;
    try {
      disposition = await handler(received, { signal: controller.signal });
    } catch (error) {
      reportError(error, received);
      disposition = { kind: "retry" };
    } finally {
      clearTimeout(leaseTimer);
      deliveries.delete(delivery);
    }
    if (delivery.abandoned) return; // already nacked: its disposition is ignored
    try {
      await settle(message, received, disposition);
    } catch (error) {
      reportError(
        classifyPubSubError(error, `settle (${disposition.kind}) message ${message.id} on ${queue}`),
        received,
      );
      message.nack();
    }
  };

  subscription.on("message", (message: Message) => {
    if (stopping) {
      message.nack();
      return;
    }
    context.setHealthy(true);
    const task = handleDelivery(message).catch((error: unknown) => reportError(error));
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  });
  subscription.on("error", (error: unknown) => {
    const classified = classifyPubSubError(error, `consume ${queue}`);
    if (!classified.retryable) context.setHealthy(false);
    reportError(classified);
  });

  let aborted = false;
  let wakeDrain: (() => void) | undefined;
  const drained = new Promise<void>((resolve) => {
    wakeDrain = resolve;
  });
  let closing: Promise<void> | undefined;
  const closeSubscription = (): Promise<void> => {
    // close() flushes the acks/nacks/modAcks our handlers queued, then closes the stream.
    closing ??= subscription.close().finally(() => subscription.removeAllListeners("message"));
    return closing;
  };
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      while (inFlight.size > 0 && !aborted) await Promise.race([Promise.allSettled([...inFlight]), drained]);
      await closeSubscription();
    })();
    return stopped;
  };
  const abort = async (): Promise<void> => {
    stopping = true;
    aborted = true;
    const reason = new TransportError(`consumer of ${queue} was closed`, {
      code: "CLOSED",
      retryable: true,
      transport: "pubsub",
    });
    for (const delivery of deliveries) abandon(delivery, reason);
    wakeDrain?.();
    await closeSubscription();
    await stopped;
  };
  if (consumeOptions.signal !== undefined) {
    if (consumeOptions.signal.aborted) await stop();
    else consumeOptions.signal.addEventListener("abort", () => void stop(), { once: true });
  }
  return { stop, abort };
}
