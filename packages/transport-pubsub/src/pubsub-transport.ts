import {
  type ConsumeOptions,
  checkDelayMs,
  deadLetterQueueName,
  type EnsureQueueOptions,
  type MessageHandler,
  type OutgoingMessage,
  type PublishOptions,
  type Subscription,
  type Transport,
  type TransportCapabilities,
  TransportError,
} from "@asya/transport";
import type { PubSub, Topic } from "@google-cloud/pubsub";
import { classifyPubSubError } from "./classify-pubsub-error.js";
import { DELIVER_AT_ATTRIBUTE, PUBSUB_MAX_ACK_DEADLINE_SEC } from "./constants.js";
import { outgoingAttributes } from "./internal/attributes.js";
import { endpointAddress, probeEndpoint } from "./internal/endpoint-probe.js";
import { loadPubSubSdk, type PubSubModule } from "./internal/load-sdk.js";
import { assertQueueName, topicPath } from "./internal/names.js";
import { assertConsumeOptions } from "./internal/validate.js";
import { ensurePubSubQueue } from "./pubsub-admin.js";
import { type ConsumerContext, type PubSubConsumer, startConsumer } from "./pubsub-consumer.js";
import { type PubSubTransportOptions, resolvePubSubOptions } from "./pubsub-options.js";

const NAME = "pubsub";

function closedError(): TransportError {
  return new TransportError("transport is closed", { code: "CLOSED", retryable: false, transport: NAME });
}

function abortedError(signal: AbortSignal): TransportError {
  return new TransportError("publish aborted", {
    code: "ABORTED",
    retryable: false,
    transport: NAME,
    cause: signal.reason,
  });
}

/** Resolves `promise`, or rejects with `ABORTED` as soon as `signal` aborts (the publish may still land). */
function withSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortedError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Creates a {@link Transport} over Google Cloud Pub/Sub: queue `Q` is topic `Q` plus subscription
 * `Q` (streaming pull with the SDK's lease management); dead letters go to the subscription's
 * dead-letter topic or `Q-dlq`. Honours `PUBSUB_EMULATOR_HOST` (through the SDK).
 *
 * `@google-cloud/pubsub` is a peer dependency, imported lazily on first use.
 *
 * @throws TransportError `INVALID_ARGUMENT` when options are invalid.
 * @example
 * ```ts
 * const transport = createPubSubTransport({ projectId: "my-project", flowControl: { maxMessages: 8 } });
 * await transport.publish("asya-prod-infer", { body: new TextEncoder().encode("{}") });
 * const sub = await transport.consume("asya-prod-infer", async (message) => ({ kind: "ack" }), { concurrency: 8 });
 * ```
 */
export function createPubSubTransport(options: PubSubTransportOptions): Transport {
  const resolved = resolvePubSubOptions(options);
  const capabilities: TransportCapabilities = {
    // Pub/Sub cannot delay a publish; our consumers hold a message until its deliver-at time by
    // deferring its ack deadline, at most 600 s ahead, so that is the longest delay.
    maxDelayMs: PUBSUB_MAX_ACK_DEADLINE_SEC * 1000,
    deadLetter: true,
    batchPublish: true,
    maxMessageBytes: resolved.maxMessageBytes,
    ordering: false,
    keepAlive: true,
  };
  const ownsClient = resolved.client === undefined;
  const topics = new Map<string, Topic>();
  const ensured = new Map<string, Promise<void>>();
  const consumers = new Set<PubSubConsumer>();
  let closed = false;
  let healthy = true;
  let sdkPromise: Promise<{ sdk: PubSubModule; client: PubSub }> | undefined;

  const warnIfUnreachable = (): void => {
    const logger = resolved.logger;
    const address = endpointAddress(resolved.apiEndpoint);
    if (logger?.warn === undefined || address === undefined || resolved.client !== undefined) return;
    void probeEndpoint(address.host, address.port).then((code) => {
      if (code === undefined || closed) return;
      logger.warn?.(
        `[asya:${NAME}] cannot reach the Pub/Sub endpoint; the SDK keeps retrying each call for up to 60 s`,
        {
          endpoint: `${address.host}:${address.port}`,
          code,
        },
      );
    });
  };

  const connect = (): Promise<{ sdk: PubSubModule; client: PubSub }> => {
    if (sdkPromise === undefined) warnIfUnreachable();
    sdkPromise ??= Promise.resolve()
      .then(loadPubSubSdk)
      .then((sdk) => ({
        sdk,
        client:
          resolved.client ??
          new sdk.PubSub({
            projectId: resolved.projectId,
            ...(resolved.apiEndpoint === undefined ? {} : { apiEndpoint: resolved.apiEndpoint }),
          }),
      }));
    return sdkPromise;
  };

  const topicFor = (client: PubSub, path: string): Topic => {
    let topic = topics.get(path);
    if (topic === undefined) {
      topic = client.topic(path, {
        batching: { maxMilliseconds: resolved.publishBatchDelayMs },
        messageOrdering: resolved.orderingKey !== undefined,
      });
      topics.set(path, topic);
    }
    return topic;
  };

  const ensure = (queue: string, ensureOptions: EnsureQueueOptions = {}): Promise<void> => {
    const key = `${queue}\n${ensureOptions.deadLetter ?? true}`;
    let pending = ensured.get(key);
    if (pending === undefined) {
      pending = connect().then(({ client }) => ensurePubSubQueue(client, resolved, queue, ensureOptions));
      ensured.set(key, pending);
      pending.catch(() => ensured.delete(key));
    }
    return pending;
  };

  const publishRaw = async (
    topicName: string,
    body: Uint8Array,
    attributes: Record<string, string>,
    orderingKey: string | undefined,
  ): Promise<void> => {
    const { client } = await connect();
    const topic = topicFor(client, topicName);
    const data = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    try {
      await topic.publishMessage({ data, attributes, ...(orderingKey === undefined ? {} : { orderingKey }) });
      healthy = true;
    } catch (error) {
      // An ordering key stays paused after a failure until resumed.
      if (orderingKey !== undefined) topic.resumePublishing(orderingKey);
      const classified = classifyPubSubError(error, `publish to ${topicName.split("/").pop()}`);
      if (classified.code === "CONNECTION") healthy = false;
      throw classified;
    }
  };

  const publishOne = async (queue: string, message: OutgoingMessage, publishOptions: PublishOptions = {}) => {
    if (closed) throw closedError();
    assertQueueName(queue);
    const delayMs = checkDelayMs(NAME, publishOptions.delayMs, capabilities.maxDelayMs);
    const extra = delayMs > 0 ? { [DELIVER_AT_ATTRIBUTE]: String(Date.now() + delayMs) } : {};
    const attributes = outgoingAttributes(queue, message, resolved.maxMessageBytes, extra);
    if (publishOptions.signal?.aborted === true) throw abortedError(publishOptions.signal);
    if (resolved.autoCreate) await withSignal(ensure(queue), publishOptions.signal);
    const orderingKey = resolved.orderingKey?.(queue, message);
    await withSignal(
      publishRaw(topicPath(resolved.projectId, queue), message.body, attributes, orderingKey),
      publishOptions.signal,
    );
  };

  const context: Omit<ConsumerContext, "sdk" | "client"> = {
    options: resolved,
    publishRaw,
    ensureDeadLetterQueue: async (queue) => {
      if (resolved.autoCreate) await ensure(deadLetterQueueName(queue), { deadLetter: false });
    },
    setHealthy: (value) => {
      healthy = value;
    },
  };

  return {
    name: NAME,
    capabilities,
    publish: publishOne,
    async publishBatch(queue, messages, publishOptions) {
      // The SDK batches concurrent publishes into few Publish RPCs.
      await Promise.all(messages.map((message) => publishOne(queue, message, publishOptions)));
    },
    async consume(queue: string, handler: MessageHandler, consumeOptions: ConsumeOptions = {}) {
      if (closed) throw closedError();
      assertQueueName(queue);
      assertConsumeOptions(consumeOptions);
      if (resolved.autoCreate) await ensure(queue);
      const { sdk, client } = await connect();
      const consumer = await startConsumer({ ...context, sdk, client }, queue, handler, consumeOptions);
      consumers.add(consumer);
      return {
        stop: async () => {
          await consumer.stop();
          consumers.delete(consumer);
        },
      } satisfies Subscription;
    },
    ensureQueue: async (queue, ensureOptions) => {
      if (closed) throw closedError();
      assertQueueName(queue);
      await ensure(queue, ensureOptions);
    },
    // No depth method: Pub/Sub exposes backlog only through Cloud Monitoring
    // (subscription/num_undelivered_messages), which KEDA's gcp-pubsub scaler reads.
    isReady: () => !closed && healthy,
    async close() {
      if (closed) return;
      closed = true;
      // close() is the forced stop: in-flight handlers are aborted and their deliveries nacked.
      await Promise.allSettled([...consumers].map((consumer) => consumer.abort()));
      if (sdkPromise === undefined) return;
      const { client } = await sdkPromise;
      await Promise.allSettled([...topics.values()].map((topic) => topic.flush()));
      if (ownsClient) await client.close();
    },
  };
}
