import {
  type OutgoingMessage,
  type PublishOptions,
  type Transport,
  type TransportCapabilities,
  TransportError,
} from "@asya/transport";
import {
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { classifySqsError } from "./classify-sqs-error.js";
import { createDeleteBatcher } from "./delete-batcher.js";
import { buildSendEntry, type SendEntryExtras, type SqsSendEntry } from "./outgoing-message.js";
import { createQueueResolver } from "./queue-resolver.js";
import { chunkSendEntries, type SendBatchRequest, sendBatch, toRequest } from "./send-batch.js";
import { type SqsSubscription, startSqsSubscription } from "./sqs-subscription.js";
import {
  resolveSqsTransportOptions,
  SQS_MAX_DELAY_SECONDS,
  type SqsTransportOptions,
} from "./sqs-transport-options.js";

function closedError(): TransportError {
  return new TransportError("transport is closed", { code: "CLOSED", retryable: false, transport: "sqs" });
}

function abortedError(cause: unknown): TransportError {
  return new TransportError("publish aborted", {
    code: "ABORTED",
    retryable: false,
    transport: "sqs",
    cause,
  });
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/**
 * Creates the Amazon SQS transport. Credentials always come from the AWS SDK default provider chain
 * (environment, IRSA / EKS pod identity, instance profile); there is no option to pass keys.
 *
 * @throws TransportError `INVALID_ARGUMENT` when options are invalid.
 * @example
 * ```ts
 * const transport = createSqsTransport({ region: "eu-west-1", visibilityTimeoutSec: 60 });
 * await transport.publish("asya-prod-infer", { body: new TextEncoder().encode("{}") });
 * const sub = await transport.consume("asya-prod-infer", async () => ({ kind: "ack" }), { concurrency: 8 });
 * ```
 */
export function createSqsTransport(options: SqsTransportOptions = {}): Transport {
  const settings = resolveSqsTransportOptions(options);
  const ownsClient = settings.client === undefined;
  const client =
    settings.client ??
    new SQSClient({
      ...(settings.region === undefined ? {} : { region: settings.region }),
      ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    });
  const resolver = createQueueResolver({
    client,
    ...(settings.queueUrlPrefix === undefined ? {} : { queueUrlPrefix: settings.queueUrlPrefix }),
    autoCreate: settings.autoCreate,
    maxReceiveCount: settings.maxReceiveCount,
  });
  const deleter = createDeleteBatcher({
    client,
    batchSize: settings.batchSize,
    windowMs: settings.deleteBatchWindowMs,
  });
  const subscriptions = new Set<SqsSubscription>();
  let closed = false;
  let healthy = true;
  const setHealthy = (value: boolean): void => {
    healthy = value;
  };

  const capabilities: TransportCapabilities = {
    maxDelayMs: SQS_MAX_DELAY_SECONDS * 1000,
    deadLetter: true,
    batchPublish: true,
    maxMessageBytes: settings.maxMessageBytes,
    ordering: false,
    keepAlive: true,
  };

  const call = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      const result = await run();
      healthy = true;
      return result;
    } catch (error) {
      const classified = classifySqsError(error);
      if (classified.code === "CONNECTION") healthy = false;
      throw classified;
    }
  };

  const entryFor = (
    queue: string,
    message: OutgoingMessage,
    delayMs: number | undefined,
    extras: SendEntryExtras = {},
  ): SqsSendEntry => buildSendEntry(queue, message, delayMs, settings, extras);

  const sendOne = async (
    queue: string,
    entry: SqsSendEntry,
    signal: AbortSignal | undefined,
  ): Promise<void> => {
    const queueUrl = await resolver.url(queue);
    await call(() =>
      client.send(
        new SendMessageCommand({ QueueUrl: queueUrl, ...toRequest(entry) }),
        signal === undefined ? {} : { abortSignal: signal },
      ),
    );
  };

  const sendInternal = async (
    queue: string,
    message: OutgoingMessage,
    delayMs: number | undefined,
    extras: SendEntryExtras,
  ): Promise<void> => {
    // Internal re-publishes go out even while closing: they settle deliveries already taken.
    await sendOne(queue, entryFor(queue, message, delayMs, extras), undefined);
  };

  const publish = async (
    queue: string,
    message: OutgoingMessage,
    opts: PublishOptions = {},
  ): Promise<void> => {
    if (closed) throw closedError();
    if (isAborted(opts.signal)) throw abortedError(opts.signal?.reason);
    const entry = entryFor(queue, message, opts.delayMs);
    try {
      await sendOne(queue, entry, opts.signal);
    } catch (error) {
      if (isAborted(opts.signal)) throw abortedError(error);
      throw error;
    }
  };

  const send: SendBatchRequest = (queueUrl, entries, signal) =>
    call(() =>
      client.send(
        new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
        signal === undefined ? {} : { abortSignal: signal },
      ),
    );

  const publishBatch = async (
    queue: string,
    messages: readonly OutgoingMessage[],
    opts: PublishOptions = {},
  ): Promise<void> => {
    if (closed) throw closedError();
    if (isAborted(opts.signal)) throw abortedError(opts.signal?.reason);
    // Validate every message before sending any.
    const entries = messages.map((message) => entryFor(queue, message, opts.delayMs));
    if (entries.length === 0) return;
    const queueUrl = await resolver.url(queue);
    const chunks = chunkSendEntries(entries, settings.batchSize);
    try {
      for (const part of chunks) await sendBatch(send, queueUrl, part, opts.signal);
    } catch (error) {
      if (isAborted(opts.signal)) throw abortedError(error);
      throw error;
    }
  };

  return {
    name: "sqs",
    capabilities,
    publish,
    publishBatch,
    async consume(queue, handler, consumeOptions = {}) {
      if (closed) throw closedError();
      const subscription = await startSqsSubscription(queue, handler, consumeOptions, {
        client,
        resolver,
        deleter,
        waitTimeSeconds: settings.waitTimeSeconds,
        batchSize: settings.batchSize,
        visibilityTimeoutSec: settings.visibilityTimeoutSec,
        heartbeatFraction: settings.heartbeatFraction,
        concurrency: settings.concurrency,
        maxProcessingMs: settings.maxProcessingMs,
        sendInternal,
        setHealthy,
      });
      subscriptions.add(subscription);
      return {
        async stop() {
          await subscription.stop();
          subscriptions.delete(subscription);
        },
      };
    },
    async ensureQueue(queue, ensureOptions = {}) {
      if (closed) throw closedError();
      await call(() => resolver.ensure(queue, ensureOptions.deadLetter ?? true));
    },
    async depth(queue) {
      if (closed) throw closedError();
      const queueUrl = await resolver.url(queue);
      const response = await call(() =>
        client.send(
          new GetQueueAttributesCommand({
            QueueUrl: queueUrl,
            AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
          }),
        ),
      );
      const visible = Number(response.Attributes?.ApproximateNumberOfMessages ?? 0);
      const inFlight = Number(response.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
      return visible + inFlight;
    },
    isReady() {
      return !closed && healthy;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...subscriptions].map((subscription) => subscription.terminate()));
      subscriptions.clear();
      await deleter.flush();
      if (ownsClient) client.destroy();
    },
  };
}
