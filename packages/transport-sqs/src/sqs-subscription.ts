import {
  type ConsumeOptions,
  DEAD_LETTER_REASON_ATTRIBUTE,
  type Disposition,
  type MessageHandler,
  type OutgoingMessage,
  type ReceivedMessage,
  type Subscription,
} from "@asya/transport";
import {
  ChangeMessageVisibilityCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { classifySqsError } from "./classify-sqs-error.js";
import type { DeleteBatcher } from "./delete-batcher.js";
import type { SendEntryExtras } from "./outgoing-message.js";
import type { QueueResolver } from "./queue-resolver.js";
import { sqsDeadLetterQueueName } from "./queue-resolver.js";
import { type DecodedSqsMessage, decodeReceivedMessage } from "./received-message.js";
import { SQS_MAX_VISIBILITY_SECONDS } from "./sqs-transport-options.js";
import { startVisibilityHeartbeat } from "./visibility-heartbeat.js";

/** What a subscription needs from its transport. */
export interface SubscriptionDeps {
  readonly client: SQSClient;
  readonly resolver: QueueResolver;
  readonly deleter: DeleteBatcher;
  readonly waitTimeSeconds: number;
  readonly batchSize: number;
  readonly visibilityTimeoutSec: number;
  readonly heartbeatFraction: number;
  readonly concurrency: number;
  readonly maxProcessingMs: number;
  /** Publishes a message the adapter re-sends itself (dead letter). */
  readonly sendInternal: (
    queue: string,
    message: OutgoingMessage,
    delayMs: number | undefined,
    extras: SendEntryExtras,
  ) => Promise<void>;
  readonly setHealthy: (healthy: boolean) => void;
}

const MAX_RECEIVE_BACKOFF_MS = 5_000;

/** A subscription the transport can also terminate (on close). */
export interface SqsSubscription extends Subscription {
  /** Aborts every running handler's signal, then stops like `stop()`. */
  terminate(): Promise<void>;
}

/**
 * Starts consuming `queue`: `ceil(concurrency / batchSize)` long-polling loops each ask for as many
 * messages as there are free handler slots (at most `batchSize`), run handlers with a visibility
 * heartbeat and settle dispositions natively.
 *
 * @throws TransportError `NOT_FOUND` when the queue does not exist (and `autoCreate` is off).
 */
export async function startSqsSubscription(
  queue: string,
  handler: MessageHandler,
  options: ConsumeOptions,
  deps: SubscriptionDeps,
): Promise<SqsSubscription> {
  const { client } = deps;
  const queueUrl = await deps.resolver.url(queue);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? deps.concurrency));
  const maxProcessingMs = options.maxProcessingMs ?? deps.maxProcessingMs;
  const report = (error: unknown, message?: ReceivedMessage): void => {
    try {
      options.onError?.(error, message);
    } catch {
      // A throwing onError must not break the consumer.
    }
  };

  let stopping = false;
  let terminated = false;
  let busy = 0; // slots reserved by receives in flight plus handlers running
  const handlers = new Set<Promise<void>>();
  const running = new Set<AbortController>();
  let waiters: Array<() => void> = [];
  const wakeUp = (): void => {
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };
  const stopSleep = new AbortController();

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      stopSleep.signal.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });

  const changeVisibility = (receiptHandle: string, seconds: number) =>
    client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );

  const settle = async (decoded: DecodedSqsMessage, disposition: Disposition, receivedAtMs: number) => {
    const { message, receiptHandle } = decoded;
    switch (disposition.kind) {
      case "ack":
        await deps.deleter.delete(queueUrl, receiptHandle);
        return;
      case "retry": {
        // Redelivery is a visibility change: up to the room left under SQS's 12 h receipt limit
        // (which counts from the receive, so a long handler leaves less), cut to it beyond.
        const delaySec = Math.ceil(Math.max(0, disposition.delayMs ?? 0) / 1000);
        const roomSec = SQS_MAX_VISIBILITY_SECONDS - Math.ceil((Date.now() - receivedAtMs) / 1000) - 1;
        await changeVisibility(receiptHandle, Math.max(0, Math.min(delaySec, roomSec)));
        return;
      }
      case "deadLetter":
        await deps.sendInternal(
          sqsDeadLetterQueueName(queue),
          { body: message.body, attributes: message.attributes },
          undefined,
          {
            attributes: { [DEAD_LETTER_REASON_ATTRIBUTE]: disposition.reason },
            packIfNeeded: true,
            deduplicationId: `dlq-${message.id}`,
          },
        );
        await deps.deleter.delete(queueUrl, receiptHandle);
        return;
    }
  };

  const handleMessage = async (raw: Message): Promise<void> => {
    const receivedAtMs = Date.now();
    let decoded: DecodedSqsMessage;
    try {
      decoded = decodeReceivedMessage(queue, raw);
    } catch (error) {
      // Undecodable adapter metadata: leave the message to the native RedrivePolicy.
      report(classifySqsError(error));
      return;
    }
    const { message } = decoded;
    const lost = new AbortController();
    running.add(lost);
    const heartbeat = startVisibilityHeartbeat({
      client,
      queueUrl,
      receiptHandle: decoded.receiptHandle,
      receivedAtMs,
      visibilityTimeoutSec: deps.visibilityTimeoutSec,
      fraction: deps.heartbeatFraction,
      maxProcessingMs,
      onLost: (error) => {
        report(error, message);
        lost.abort(error);
      },
      onError: (error) => report(error, message),
    });
    let disposition: Disposition;
    try {
      disposition = await handler(message, { signal: lost.signal });
    } catch (error) {
      report(error, message);
      disposition = { kind: "retry" };
    }
    await heartbeat.stop();
    running.delete(lost);
    if (lost.signal.aborted && terminated === false) return; // lost: someone else may own it now
    try {
      await settle(decoded, disposition, receivedAtMs);
    } catch (error) {
      report(classifySqsError(error), message);
    }
  };

  const release = async (messages: readonly Message[]): Promise<void> => {
    // Received while stopping: make them visible again at once instead of after the timeout.
    await Promise.allSettled(
      messages.map((raw) =>
        raw.ReceiptHandle === undefined ? undefined : changeVisibility(raw.ReceiptHandle, 0),
      ),
    );
  };

  const poll = async (): Promise<void> => {
    let failures = 0;
    // Receive once at least half a batch of slots is free (or nothing runs): fuller batches mean
    // fewer ReceiveMessage calls (SQS bills per request), without waiting on one slow handler.
    const target = Math.max(1, Math.floor(Math.min(deps.batchSize, concurrency) / 2));
    while (!stopping) {
      const free = Math.min(deps.batchSize, concurrency - busy);
      if (free <= 0 || (free < target && busy > 0)) {
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
        });
        continue;
      }
      busy += free;
      let received: Message[];
      try {
        const response = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: free,
            WaitTimeSeconds: deps.waitTimeSeconds,
            VisibilityTimeout: deps.visibilityTimeoutSec,
            MessageAttributeNames: ["All"],
            MessageSystemAttributeNames: ["ApproximateReceiveCount"],
          }),
        );
        received = response.Messages ?? [];
        failures = 0;
        deps.setHealthy(true);
      } catch (error) {
        busy -= free;
        wakeUp();
        const classified = classifySqsError(error);
        if (classified.code === "CONNECTION") deps.setHealthy(false);
        report(classified);
        failures += 1;
        await sleep(Math.min(MAX_RECEIVE_BACKOFF_MS, 100 * 2 ** failures));
        continue;
      }
      busy -= free - received.length;
      if (received.length < free) wakeUp(); // unused reservations free slots for other pollers
      if (stopping) {
        busy -= received.length;
        await release(received);
        break;
      }
      for (const raw of received) {
        const running = handleMessage(raw).finally(() => {
          busy -= 1;
          handlers.delete(running);
          wakeUp();
        });
        handlers.add(running);
      }
    }
  };

  const pollerCount = Math.max(1, Math.ceil(concurrency / deps.batchSize));
  const pollers = Array.from({ length: pollerCount }, () => poll());

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      stopSleep.abort();
      // Pollers waiting for a free slot: let them see `stopping`.
      wakeUp();
      // A long poll in flight is awaited (at most waitTimeSeconds) so that what it returns can be
      // released, not stranded invisible until the visibility timeout.
      await Promise.all(pollers);
      while (handlers.size > 0) await Promise.allSettled([...handlers]);
      await deps.deleter.flush();
    })();
    return stopped;
  };
  const terminate = (): Promise<void> => {
    // Closing: running handlers are told to give up; their retry disposition then makes the
    // message visible again at once (ChangeMessageVisibility 0) for another consumer.
    terminated = true;
    for (const controller of running) {
      controller.abort(new Error("[asya:sqs] transport closed"));
    }
    return stop();
  };
  if (options.signal !== undefined) {
    if (options.signal.aborted) void stop();
    else options.signal.addEventListener("abort", () => void stop(), { once: true });
  }
  return { stop, terminate };
}
