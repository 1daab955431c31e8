/**
 * The one contract every Asya broker adapter implements. Transports move bytes plus string
 * attributes; the runtime owns envelope encoding and validation.
 */

/** A message as handed to {@link Transport.publish}. */
export interface OutgoingMessage {
  /** The message body: exact bytes, delivered unchanged. */
  readonly body: Uint8Array;
  /** String attributes (headers / message attributes). Keys starting with `x-asya-` are reserved. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** A message delivered to a consumer. */
export interface ReceivedMessage {
  /** The queue it was received from. */
  readonly queue: string;
  /** The broker's message id (or a transport-generated one when the broker has none). */
  readonly id: string;
  /** The exact bytes that were published. */
  readonly body: Uint8Array;
  /**
   * The string attributes that were published (a superset is allowed: brokers may add their own,
   * and dead-lettered messages carry {@link DEAD_LETTER_REASON_ATTRIBUTE}).
   */
  readonly attributes: Readonly<Record<string, string>>;
  /** 1 on the first delivery, incremented on each redelivery; absent when the broker cannot tell. */
  readonly deliveryCount?: number;
}

/** What a consumer decided about a message. */
export type Disposition =
  /** Done: remove the message. */
  | { readonly kind: "ack" }
  /**
   * Deliver again (delivery count + 1), no earlier than `delayMs` from now. A delay above
   * `capabilities.maxDelayMs` is cut to `maxDelayMs` (with `maxDelayMs` 0 the message is redelivered
   * as soon as the transport can); callers needing a longer wait republish with their own
   * not-before marker (the runtime does).
   */
  | { readonly kind: "retry"; readonly delayMs?: number }
  /** Move to `<queue>-dlq`, body and attributes unchanged plus the reason attribute. */
  | { readonly kind: "deadLetter"; readonly reason: string };

/** Context given to a message handler. */
export interface MessageContext {
  /**
   * Aborted when the transport can no longer settle this delivery (transport closed, connection
   * lost, visibility / ack deadline lapsed after `maxProcessingMs`): the broker will redeliver, so
   * the handler should give up; whatever it returns afterwards is ignored. Not aborted by
   * `Subscription.stop()`, which waits for the handler instead.
   */
  readonly signal: AbortSignal;
}

/** Consumer callback. A thrown error counts as `{ kind: "retry" }` and is reported via `onError`. */
export type MessageHandler = (
  message: ReceivedMessage,
  context: MessageContext,
) => Promise<Disposition> | Disposition;

/** Options for {@link Transport.publish}. */
export interface PublishOptions {
  /**
   * Deliver no earlier than this many ms from now, at most `capabilities.maxDelayMs`: a larger delay
   * rejects with `INVALID_ARGUMENT` (use {@link checkDelayMs}) and nothing is published, so a message
   * is never delivered early silently. Transports do not chain or emulate longer delays; the one
   * layer that does is the caller's (the runtime splits long delays into hops). @default 0
   */
  readonly delayMs?: number;
  /**
   * Abort a pending publish; the promise rejects with `TransportError` code `ABORTED` (already
   * aborted: rejects without publishing). Aborting after the promise resolved has no effect.
   */
  readonly signal?: AbortSignal;
}

/** Options for {@link Transport.consume}. */
export interface ConsumeOptions {
  /** Maximum handler calls in flight for this subscription. @default 1 */
  readonly concurrency?: number;
  /** Aborting it stops the subscription like `stop()`. */
  readonly signal?: AbortSignal;
  /**
   * Upper bound on how long the transport keeps a delivery alive (extends visibility / ack
   * deadline) while its handler runs; after it, the transport stops extending. Usually the
   * handler timeout plus a margin. @default transport-specific
   */
  readonly maxProcessingMs?: number;
  /**
   * Called with errors thrown by the handler (the delivery then counts as `retry`) or raised while
   * settling a delivery. Must not throw. @default errors are dropped
   */
  readonly onError?: (error: unknown, message?: ReceivedMessage) => void;
}

/** A running consumer. */
export interface Subscription {
  /**
   * Stop taking new deliveries, wait for in-flight handlers to finish and settle them with their
   * dispositions (handlers are not aborted). Idempotent: every call returns the same drain.
   */
  stop(): Promise<void>;
}

/** Options for {@link Transport.ensureQueue}. */
export interface EnsureQueueOptions {
  /** Also create/declare the `<queue>-dlq` dead-letter queue. @default true */
  readonly deadLetter?: boolean;
}

/** What a transport can do natively; the runtime emulates what is missing. */
export interface TransportCapabilities {
  /**
   * Longest delay in ms one `publish(…, { delayMs })` or one `retry` disposition honours; 0 when the
   * transport cannot delay at all (publishing with a delay then rejects with `INVALID_ARGUMENT`).
   */
  readonly maxDelayMs: number;
  /** `deadLetter` dispositions land in `<queue>-dlq`. */
  readonly deadLetter: boolean;
  /** `publishBatch` is implemented natively. */
  readonly batchPublish: boolean;
  /** Largest body (bytes) the transport accepts; larger publishes reject with `TOO_LARGE`. */
  readonly maxMessageBytes: number;
  /** Messages on one queue are delivered in publish order (single consumer, no retries). */
  readonly ordering: boolean;
  /**
   * The transport keeps long-running deliveries invisible to other consumers (up to
   * `ConsumeOptions.maxProcessingMs`). Without it a delivery whose handler outlives the visibility
   * timeout may be handed to another consumer.
   */
  readonly keepAlive: boolean;
}

/** The contract. Implementations are created by factories (`createXxxTransport(options)`). */
export interface Transport {
  /** Short name used in errors and logs, e.g. `memory`, `rabbitmq`. */
  readonly name: string;
  /** What this transport does natively (constant for its lifetime). */
  readonly capabilities: TransportCapabilities;
  /**
   * Resolves once the broker durably accepted the message (confirm / 200). The body is copied or
   * sent before it resolves, so the caller may reuse the buffer afterwards.
   * @throws TransportError `CLOSED` after close, `TOO_LARGE` (body > `maxMessageBytes`),
   *   `ABORTED`, `INVALID_ARGUMENT`, or broker errors sorted by the adapter's classifier.
   */
  publish(queue: string, message: OutgoingMessage, options?: PublishOptions): Promise<void>;
  /**
   * Publish several messages to one queue (the adapter chunks to broker limits); optional, see
   * `publishAll` for the fallback. Same errors as `publish`.
   */
  publishBatch?(queue: string, messages: readonly OutgoingMessage[], options?: PublishOptions): Promise<void>;
  /**
   * Start consuming a queue. Competing consumers (other subscriptions or transports on the same
   * queue) share its messages; each message is with at most one handler at a time.
   * @throws TransportError `CLOSED` after close, `INVALID_ARGUMENT` for bad options.
   */
  consume(queue: string, handler: MessageHandler, options?: ConsumeOptions): Promise<Subscription>;
  /** Idempotently create the queue (and its DLQ). */
  ensureQueue?(queue: string, options?: EnsureQueueOptions): Promise<void>;
  /**
   * Messages waiting (and in flight where known). Present only on transports whose broker can
   * tell (there is no capability flag for it: the method is the capability).
   */
  depth?(queue: string): Promise<number>;
  /** True while connected and able to publish/consume (drives readiness probes). */
  isReady(): boolean;
  /**
   * Stop all subscriptions WITHOUT draining: in-flight handlers' signals abort and their deliveries
   * stay un-acked, so the broker redelivers them (stop subscriptions first for a graceful drain).
   * Then `isReady()` is false and publish/consume reject with `CLOSED`. Idempotent.
   */
  close(): Promise<void>;
}

/** Name of the dead-letter queue of `queue`. */
export function deadLetterQueueName(queue: string): string {
  return `${queue}-dlq`;
}

/** Attribute carrying the reason on dead-lettered messages. */
export const DEAD_LETTER_REASON_ATTRIBUTE = "x-asya-dead-letter-reason";
