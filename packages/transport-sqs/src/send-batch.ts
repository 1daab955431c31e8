import { TransportError } from "@asya/transport";
import type { SendMessageBatchCommandOutput, SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";
import { classifySqsError } from "./classify-sqs-error.js";
import type { SqsSendEntry } from "./outgoing-message.js";
import { SQS_MAX_MESSAGE_BYTES } from "./sqs-transport-options.js";

const BATCH_ATTEMPTS = 3;

/** Sends one `SendMessageBatch` request (the transport's client call, with error classification). */
export type SendBatchRequest = (
  queueUrl: string,
  entries: SendMessageBatchRequestEntry[],
  signal: AbortSignal | undefined,
) => Promise<SendMessageBatchCommandOutput>;

/** The SDK request fields of an entry (without the adapter's size bookkeeping). */
export function toRequest(entry: SqsSendEntry): Omit<SendMessageBatchRequestEntry, "Id"> {
  const { sizeBytes: _size, ...request } = entry;
  return request;
}

/** Splits entries into SQS batches: at most `batchSize` entries and 1 MiB in total each. */
export function chunkSendEntries(entries: readonly SqsSendEntry[], batchSize: number): SqsSendEntry[][] {
  const chunks: SqsSendEntry[][] = [];
  let chunk: SqsSendEntry[] = [];
  let chunkBytes = 0;
  for (const entry of entries) {
    if (
      chunk.length > 0 &&
      (chunk.length >= batchSize || chunkBytes + entry.sizeBytes > SQS_MAX_MESSAGE_BYTES)
    ) {
      chunks.push(chunk);
      chunk = [];
      chunkBytes = 0;
    }
    chunk.push(entry);
    chunkBytes += entry.sizeBytes;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * Sends one batch, settling entries one by one: entries that failed on SQS's side are re-sent (3
 * attempts in all); a non-retryable entry failure rejects at once.
 *
 * @throws TransportError naming how many entries could not be sent.
 */
export async function sendBatch(
  send: SendBatchRequest,
  queueUrl: string,
  entries: readonly SqsSendEntry[],
  signal: AbortSignal | undefined,
): Promise<void> {
  let pending = entries.map((entry, index) => ({ entry, id: String(index) }));
  let lastError: TransportError | undefined;
  for (let attempt = 1; attempt <= BATCH_ATTEMPTS && pending.length > 0; attempt += 1) {
    const response = await send(
      queueUrl,
      pending.map(({ entry, id }) => ({ Id: id, ...toRequest(entry) })),
      signal,
    );
    const failed = new Map((response.Failed ?? []).map((failure) => [failure.Id, failure]));
    const succeeded = new Set((response.Successful ?? []).map((success) => success.Id));
    const retry: typeof pending = [];
    for (const item of pending) {
      if (succeeded.has(item.id)) continue;
      const failure = failed.get(item.id);
      const classified = classifySqsError({
        name: failure?.Code ?? "UnknownBatchResult",
        message: failure?.Message ?? "no result for entry",
        $fault: failure?.SenderFault === true ? "client" : "server",
      });
      lastError = classified;
      if (!classified.retryable) throw classified;
      retry.push(item);
    }
    pending = retry;
  }
  if (pending.length > 0) {
    throw new TransportError(`${pending.length} of ${entries.length} batch entries could not be sent`, {
      code: lastError?.code ?? "UNKNOWN",
      retryable: true,
      transport: "sqs",
      cause: lastError,
    });
  }
}
