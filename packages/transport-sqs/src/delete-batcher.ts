import { TransportError } from "@asya/transport";
import {
  DeleteMessageBatchCommand,
  type DeleteMessageBatchCommandOutput,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { classifySqsError } from "./classify-sqs-error.js";

interface PendingDelete {
  readonly receiptHandle: string;
  attempts: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Settings of {@link createDeleteBatcher}. */
export interface DeleteBatcherSettings {
  readonly client: SQSClient;
  readonly batchSize: number;
  readonly windowMs: number;
  /** Attempts per entry for retryable failures (whole request or single entry). @default 3 */
  readonly maxAttempts?: number;
}

/** Groups acks into `DeleteMessageBatch` calls. */
export interface DeleteBatcher {
  /** Resolves once SQS confirmed the delete of this receipt handle; rejects with a `TransportError`. */
  delete(queueUrl: string, receiptHandle: string): Promise<void>;
  /** Sends everything pending now and waits for it. */
  flush(): Promise<void>;
}

/**
 * Batches deletes per queue URL: up to `batchSize` entries, or whatever arrived within `windowMs`.
 * Each entry is settled on its own: a failed entry is retried when SQS says the fault was on its
 * side (`SenderFault: false`), otherwise its promise rejects; it is never assumed deleted.
 */
export function createDeleteBatcher(settings: DeleteBatcherSettings): DeleteBatcher {
  const maxAttempts = settings.maxAttempts ?? 3;
  const queues = new Map<string, PendingDelete[]>();
  const timers = new Map<string, NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();

  const send = async (queueUrl: string, entries: PendingDelete[]): Promise<void> => {
    let response: DeleteMessageBatchCommandOutput;
    try {
      response = await settings.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: entries.map((entry, index) => ({ Id: String(index), ReceiptHandle: entry.receiptHandle })),
        }),
      );
    } catch (error) {
      const classified = classifySqsError(error);
      for (const entry of entries) {
        entry.attempts += 1;
        if (classified.retryable && entry.attempts < maxAttempts)
          enqueue(queueUrl, entry, 50 * entry.attempts);
        else entry.reject(classified);
      }
      return;
    }
    const settled = new Set<string>();
    for (const ok of response.Successful ?? []) {
      if (ok.Id === undefined) continue;
      settled.add(ok.Id);
      entries[Number(ok.Id)]?.resolve();
    }
    for (const failed of response.Failed ?? []) {
      if (failed.Id === undefined) continue;
      settled.add(failed.Id);
      const entry = entries[Number(failed.Id)];
      if (entry === undefined) continue;
      entry.attempts += 1;
      if (failed.SenderFault === false && entry.attempts < maxAttempts) {
        enqueue(queueUrl, entry, 50 * entry.attempts);
        continue;
      }
      entry.reject(
        classifySqsError({
          name: failed.Code ?? "DeleteFailed",
          message: `delete failed: ${failed.Message ?? failed.Code ?? "unknown"}`,
          $fault: failed.SenderFault === false ? "server" : "client",
        }),
      );
    }
    // An entry SQS reported neither way: never assume it deleted.
    entries.forEach((entry, index) => {
      if (!settled.has(String(index))) {
        entry.reject(
          new TransportError("DeleteMessageBatch returned no result for an entry", {
            code: "UNKNOWN",
            retryable: true,
            transport: "sqs",
          }),
        );
      }
    });
  };

  const drain = (queueUrl: string): void => {
    const timer = timers.get(queueUrl);
    if (timer !== undefined) clearTimeout(timer);
    timers.delete(queueUrl);
    const pending = queues.get(queueUrl) ?? [];
    queues.delete(queueUrl);
    for (let start = 0; start < pending.length; start += settings.batchSize) {
      const chunk = pending.slice(start, start + settings.batchSize);
      const sending = send(queueUrl, chunk).finally(() => inFlight.delete(sending));
      inFlight.add(sending);
    }
  };

  const enqueue = (queueUrl: string, entry: PendingDelete, delayMs = settings.windowMs): void => {
    const list = queues.get(queueUrl) ?? [];
    list.push(entry);
    queues.set(queueUrl, list);
    if (list.length >= settings.batchSize) {
      drain(queueUrl);
      return;
    }
    if (!timers.has(queueUrl))
      timers.set(
        queueUrl,
        setTimeout(() => drain(queueUrl), delayMs),
      );
  };

  return {
    delete(queueUrl, receiptHandle) {
      return new Promise<void>((resolve, reject) => {
        enqueue(queueUrl, { receiptHandle, attempts: 0, resolve, reject });
      });
    },
    async flush() {
      while (queues.size > 0 || inFlight.size > 0) {
        for (const queueUrl of [...queues.keys()]) drain(queueUrl);
        await Promise.allSettled([...inFlight]);
      }
    },
  };
}
