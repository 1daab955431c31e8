import { randomUUID } from "node:crypto";
import {
  type ConsumeOptions,
  checkDelayMs,
  type EnsureQueueOptions,
  type MessageHandler,
  type OutgoingMessage,
  type PublishOptions,
  type Subscription,
  type Transport,
  type TransportCapabilities,
} from "@asya/transport";
import { RABBITMQ_TRANSPORT_NAME } from "./classify-rabbitmq-error.js";
import { ConnectionManager } from "./internal/connection-manager.js";
import { wireFromOutgoing } from "./internal/message-codec.js";
import { Publisher } from "./internal/publisher.js";
import { RabbitSubscription } from "./internal/subscription.js";
import { abortedError, rabbitError } from "./internal/timing.js";
import { TopologyManager } from "./internal/topology-manager.js";
import { type RabbitMqTransportOptions, rabbitMqTransportOptionsSchema } from "./rabbitmq-options.js";
import { passwordOf, redactSecrets } from "./redact.js";
import { MAX_DELAY_MS } from "./topology.js";

/** The RabbitMQ transport: the {@link Transport} contract with `ensureQueue` and `depth` always present. */
export interface RabbitMqTransport extends Transport {
  /**
   * Declares `queue` (and `<queue>-dlq` unless `deadLetter: false`) with the transport's arguments.
   * @throws TransportError `PRECONDITION_FAILED` when the queue exists with other arguments.
   */
  ensureQueue(queue: string, options?: EnsureQueueOptions): Promise<void>;
  /** Ready messages in `queue` (passive declare). @throws TransportError `NOT_FOUND` when it does not exist. */
  depth(queue: string): Promise<number>;
}

/**
 * Creates a RabbitMQ transport over amqplib. Connects at once in the background (see `isReady()`)
 * and reconnects after any loss with bounded exponential backoff and jitter.
 *
 * @throws TransportError `INVALID_ARGUMENT` when the options are invalid (credentials redacted).
 * @example
 * const transport = createRabbitMqTransport({ url: "amqp://guest:guest@127.0.0.1:5672", prefetch: 16 });
 * await transport.publish("asya-hello", { body: new TextEncoder().encode("{}") });
 * const sub = await transport.consume("asya-hello", async (msg) => ({ kind: "ack" }));
 */
export function createRabbitMqTransport(options: RabbitMqTransportOptions): RabbitMqTransport {
  const password = options.url === undefined ? undefined : passwordOf(options.url);
  const secrets = password === undefined ? [] : [password];
  const parsed = rabbitMqTransportOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const detail = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "options"}: ${issue.message}`,
    );
    throw rabbitError(
      `invalid options: ${redactSecrets(detail.join("; "), secrets)}`,
      "INVALID_ARGUMENT",
      false,
    );
  }
  const resolved = parsed.data;
  const connections = new ConnectionManager(resolved, secrets);
  const topology = new TopologyManager(connections, resolved, secrets);
  const publisher = new Publisher(connections, topology, resolved, secrets);
  const subscriptions = new Set<RabbitSubscription>();
  const publishes = new Set<Promise<unknown>>();
  let closing: Promise<void> | undefined;
  connections.start();

  const capabilities: TransportCapabilities = {
    maxDelayMs: MAX_DELAY_MS,
    deadLetter: true,
    batchPublish: true,
    maxMessageBytes: resolved.maxMessageBytes,
    ordering: true,
    keepAlive: true,
  };

  function checkOpen(): void {
    if (closing !== undefined) throw rabbitError("transport is closed", "CLOSED", false);
  }

  function checkQueueName(queue: string): void {
    if (typeof queue !== "string" || queue.length === 0 || Buffer.byteLength(queue) > 255) {
      throw rabbitError(`invalid queue name: ${JSON.stringify(queue)}`, "INVALID_ARGUMENT", false);
    }
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    publishes.add(promise);
    void promise.then(
      () => publishes.delete(promise),
      () => publishes.delete(promise),
    );
    return promise;
  }

  async function publish(
    queue: string,
    message: OutgoingMessage,
    publishOptions?: PublishOptions,
  ): Promise<void> {
    checkOpen();
    checkQueueName(queue);
    const { delayMs, signal } = publishOptions ?? {};
    if (signal?.aborted) throw abortedError(signal);
    if (message.body.byteLength > resolved.maxMessageBytes) {
      throw rabbitError(
        `message of ${message.body.byteLength} bytes exceeds maxMessageBytes ${resolved.maxMessageBytes}`,
        "TOO_LARGE",
        false,
      );
    }
    checkDelayMs(RABBITMQ_TRANSPORT_NAME, delayMs, MAX_DELAY_MS);
    await track(
      publisher.publish({
        queue,
        wire: wireFromOutgoing(message, randomUUID()),
        ...(delayMs === undefined ? {} : { delayMs }),
        ...(signal === undefined ? {} : { signal }),
      }),
    );
  }

  return {
    name: RABBITMQ_TRANSPORT_NAME,
    capabilities,
    publish,
    async publishBatch(queue, messages, publishOptions) {
      // Pipelined on the confirm channel: all in flight at once, each confirmed by the broker.
      const results = await Promise.allSettled(
        messages.map((message) => publish(queue, message, publishOptions)),
      );
      const failed = results.find((result) => result.status === "rejected");
      if (failed !== undefined) throw failed.reason;
    },
    async consume(
      queue: string,
      handler: MessageHandler,
      consumeOptions?: ConsumeOptions,
    ): Promise<Subscription> {
      checkOpen();
      checkQueueName(queue);
      const concurrency = consumeOptions?.concurrency ?? resolved.prefetch;
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 65535) {
        throw rabbitError("concurrency must be an integer between 1 and 65535", "INVALID_ARGUMENT", false);
      }
      const subscription = new RabbitSubscription(
        { connections, topology, publisher, options: resolved, secrets },
        { queue, handler, concurrency, onError: consumeOptions?.onError },
      );
      await subscription.start();
      subscriptions.add(subscription);
      const signal = consumeOptions?.signal;
      if (signal !== undefined) {
        if (signal.aborted) void subscription.stop();
        else signal.addEventListener("abort", () => void subscription.stop(), { once: true });
      }
      return {
        stop: async () => {
          await subscription.stop();
          subscriptions.delete(subscription);
        },
      };
    },
    async ensureQueue(queue, ensureOptions) {
      checkOpen();
      checkQueueName(queue);
      const connected = await connections.acquire(Date.now() + resolved.publishTimeoutMs);
      await topology.ensureQueue(connected, queue, ensureOptions?.deadLetter ?? true);
    },
    async depth(queue) {
      checkOpen();
      checkQueueName(queue);
      const connected = await connections.acquire(Date.now() + resolved.publishTimeoutMs);
      return topology.depth(connected, queue);
    },
    isReady: () => closing === undefined && connections.isReady(),
    close() {
      closing ??= (async () => {
        // Not a drain (that is Subscription.stop()): handlers still running see their signal abort
        // and their deliveries return to the queue when the channel closes.
        await Promise.allSettled([...subscriptions].map((subscription) => subscription.abort()));
        await Promise.allSettled([...publishes]);
        await connections.close();
      })();
      return closing;
    },
  };
}
