import type { OutgoingMessage, PublishOptions, Transport } from "./transport.js";
import { TransportError } from "./transport-error.js";

/** Options of {@link publishAll}. */
export interface PublishAllOptions extends PublishOptions {
  /** Publish calls (single messages or batches) in flight at once. @default 1 */
  readonly concurrency?: number;
  /** Messages per `publishBatch` call when the transport has one. @default 100 */
  readonly batchSize?: number;
}

/**
 * Publish many messages to one queue: through `transport.publishBatch` in chunks of `batchSize`
 * when the transport implements it, else one `publish` per message, with at most `concurrency`
 * calls in flight. Accepts any (async) iterable, so huge streams are never held in memory at once.
 * Resolves when every message was accepted; on the first failure it stops issuing, waits for the
 * calls in flight, and rejects with that error (messages already accepted stay published).
 *
 * @throws TransportError whatever the transport raises; `INVALID_ARGUMENT` for bad options;
 *   `ABORTED` when `signal` aborts.
 * @example
 * ```ts
 * await publishAll(transport, "asya-echo", bodies.map((body) => ({ body })), { concurrency: 16 });
 * ```
 */
export async function publishAll(
  transport: Transport,
  queue: string,
  messages: Iterable<OutgoingMessage> | AsyncIterable<OutgoingMessage>,
  options: PublishAllOptions = {},
): Promise<void> {
  const { concurrency = 1, batchSize = 100, ...publishOptions } = options;
  for (const [key, value] of [
    ["concurrency", concurrency],
    ["batchSize", batchSize],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new TransportError(`publishAll: ${key} must be a positive integer, got ${String(value)}`, {
        code: "INVALID_ARGUMENT",
        retryable: false,
        transport: transport.name,
      });
    }
  }
  const batch = transport.publishBatch?.bind(transport);
  const send =
    batch === undefined
      ? (chunk: OutgoingMessage[]) => transport.publish(queue, chunk[0]!, publishOptions)
      : (chunk: OutgoingMessage[]) => batch(queue, chunk, publishOptions);
  const chunkSize = batch === undefined ? 1 : batchSize;

  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const launch = (chunk: OutgoingMessage[]): void => {
    const call = send(chunk).then(
      () => {
        inFlight.delete(call);
      },
      (error: unknown) => {
        inFlight.delete(call);
        failure ??= { error };
      },
    );
    inFlight.add(call);
  };

  let chunk: OutgoingMessage[] = [];
  // Returns true when a call was launched and the caller must respect the concurrency limit.
  const accept = (message: OutgoingMessage): boolean => {
    chunk.push(message);
    if (chunk.length < chunkSize) return false;
    launch(chunk);
    chunk = [];
    return true;
  };
  if (Symbol.iterator in messages) {
    // A plain loop for sync iterables: `for await` would add a promise per message.
    for (const message of messages) {
      if (failure !== undefined) break;
      if (accept(message)) while (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
  } else {
    for await (const message of messages) {
      if (failure !== undefined) break;
      if (accept(message)) while (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
  }
  if (failure === undefined && chunk.length > 0) launch(chunk);
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure.error;
}
