import { z } from "zod";
import { checkDelayMs } from "../check-delay.js";
import type { Clock } from "../clock.js";
import { packBody } from "../internal/packed-body.js";
import type {
  ConsumeOptions,
  EnsureQueueOptions,
  MessageHandler,
  OutgoingMessage,
  PublishOptions,
  Subscription,
  Transport,
  TransportCapabilities,
} from "../transport.js";
import { deadLetterQueueName } from "../transport.js";
import { TransportError } from "../transport-error.js";
import { Broker, isBroker, type MemoryBroker } from "./memory-broker.js";
import type { Connection } from "./memory-consumer.js";
import type { StoredMessage } from "./memory-queue.js";

/** Default {@link MemoryTransportOptions.maxMessageBytes}: 10 MiB. */
export const DEFAULT_MEMORY_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
/** Default {@link MemoryTransportOptions.visibilityTimeoutMs}: 30 s. */
export const DEFAULT_MEMORY_VISIBILITY_TIMEOUT_MS = 30_000;

/** A memory transport, plus the broker it is connected to. */
export interface MemoryTransport extends Transport {
  /** The broker behind this transport: pass it to {@link createMemoryTransport} to share queues. */
  readonly broker: MemoryBroker;
  /** Always present: validates every message first, then enqueues all of them or none. */
  publishBatch(queue: string, messages: readonly OutgoingMessage[], options?: PublishOptions): Promise<void>;
  /** Always present: creates the queue (and `<queue>-dlq` unless `deadLetter: false`). */
  ensureQueue(queue: string, options?: EnsureQueueOptions): Promise<void>;
  /** Always present: ready + delayed + in-flight messages. */
  depth(queue: string): Promise<number>;
}

const optionsSchema = z.strictObject({
  /** Share queues with other transports created on the same broker. @default a new private broker */
  broker: z
    .custom<MemoryBroker>(isBroker, { message: "expected a broker from createMemoryBroker()" })
    .optional(),
  /** Name used in errors. @default "memory" */
  name: z.string().min(1).optional(),
  /**
   * How long a delivery stays invisible before it is handed out again, unless settled or kept
   * alive. While a handler runs, the delivery is extended by this much at a time until the
   * consumer's `maxProcessingMs` has elapsed. @default 30000
   */
  visibilityTimeoutMs: z.number().int().positive().optional(),
  /** Largest accepted body in bytes; larger publishes reject with `TOO_LARGE`. @default 10485760 */
  maxMessageBytes: z.number().int().positive().optional(),
  /**
   * Longest publish or retry delay (`capabilities.maxDelayMs`): longer publish delays reject with
   * `INVALID_ARGUMENT` and longer retry delays are cut to it, so a test can stand in for a broker's
   * limit (SQS: 900000) or for a transport without delays (0). @default Number.MAX_SAFE_INTEGER
   */
  maxDelayMs: z.number().int().min(0).optional(),
  /**
   * Time for delays and visibility deadlines of the private broker this transport creates (a
   * `createTestClock()` in tests); with `broker`, the broker's own clock applies and this must be
   * unset. @default systemClock
   */
  clock: z
    .custom<Clock>(
      (value) =>
        value !== null &&
        typeof value === "object" &&
        typeof (value as Clock).now === "function" &&
        typeof (value as Clock).setTimer === "function",
      { message: "expected a Clock ({ now, setTimer })" },
    )
    .optional(),
});

/** Options of {@link createMemoryTransport} (the validating schema's input type). */
export type MemoryTransportOptions = z.input<typeof optionsSchema>;

const consumeSchema = z.object({
  concurrency: z.number().int().positive().optional(),
  signal: z.instanceof(AbortSignal).optional(),
  maxProcessingMs: z.number().positive().optional(),
  onError: z.function().optional(),
});

const EMPTY_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Create the in-process transport: queues with visibility semantics, delays, dead-letter
 * queues, depth and delivery counts. The embedded default for a whole mesh in one process and the
 * test double for the runtime.
 *
 * @throws TransportError `INVALID_ARGUMENT` when options are invalid.
 * @example
 * ```ts
 * const transport = createMemoryTransport();
 * await transport.consume("asya-echo", (m) => ({ kind: "ack" }));
 * await transport.publish("asya-echo", { body: new TextEncoder().encode("hi") });
 * ```
 */
export function createMemoryTransport(options: MemoryTransportOptions = {}): MemoryTransport {
  const parsed = optionsSchema.safeParse(options);
  const name = typeof options.name === "string" && options.name !== "" ? options.name : "memory";
  if (!parsed.success) {
    throw new TransportError(`invalid memory transport options: ${z.prettifyError(parsed.error)}`, {
      code: "INVALID_ARGUMENT",
      retryable: false,
      transport: name,
      cause: parsed.error,
    });
  }
  if (parsed.data.broker !== undefined && parsed.data.clock !== undefined) {
    throw new TransportError(
      "give the clock to createMemoryBroker({ clock }), not to a transport on that broker",
      {
        code: "INVALID_ARGUMENT",
        retryable: false,
        transport: name,
      },
    );
  }
  // isBroker() admitted only our Broker class behind the public MemoryBroker interface.
  const broker = (parsed.data.broker as Broker | undefined) ?? new Broker(parsed.data.clock);
  const maxMessageBytes = parsed.data.maxMessageBytes ?? DEFAULT_MEMORY_MAX_MESSAGE_BYTES;
  const maxDelayMs = parsed.data.maxDelayMs ?? Number.MAX_SAFE_INTEGER;
  const connection = broker.connect(
    name,
    parsed.data.visibilityTimeoutMs ?? DEFAULT_MEMORY_VISIBILITY_TIMEOUT_MS,
    maxDelayMs,
  );
  const capabilities: TransportCapabilities = Object.freeze({
    maxDelayMs,
    deadLetter: true,
    batchPublish: true,
    maxMessageBytes,
    ordering: true,
    keepAlive: true,
  });
  const fail = (
    code: "CLOSED" | "ABORTED" | "TOO_LARGE" | "INVALID_ARGUMENT",
    message: string,
    cause?: unknown,
  ) =>
    new TransportError(message, {
      code,
      retryable: false,
      transport: name,
      ...(cause === undefined ? {} : { cause }),
    });

  const checkOpen = (what: string): void => {
    if (connection.closed) throw fail("CLOSED", `cannot ${what}: transport is closed`);
  };
  const checkQueue = (queue: unknown): void => {
    if (typeof queue !== "string" || queue === "")
      throw fail("INVALID_ARGUMENT", "queue must be a non-empty string");
  };
  const checkPublishOptions = (options: PublishOptions | undefined): number => {
    if (options?.signal?.aborted === true) throw fail("ABORTED", "publish aborted", options.signal.reason);
    return checkDelayMs(name, options?.delayMs, maxDelayMs);
  };
  const toStored = (queue: string, message: OutgoingMessage): StoredMessage => {
    const body: unknown = message?.body;
    if (!(body instanceof Uint8Array))
      throw fail("INVALID_ARGUMENT", `body for ${queue} must be a Uint8Array`);
    if (body.byteLength > maxMessageBytes) {
      throw fail(
        "TOO_LARGE",
        `message of ${body.byteLength} bytes exceeds ${maxMessageBytes} bytes on ${queue}`,
      );
    }
    return {
      seq: broker.nextSeq(),
      // Copy so the publisher cannot mutate the stored message afterwards.
      body: packBody(body),
      attributes: copyAttributes(message.attributes, (key) =>
        fail("INVALID_ARGUMENT", `attribute ${JSON.stringify(key)} on ${queue} must be a string`),
      ),
      deliveryCount: 0,
    };
  };

  const transport: MemoryTransport = {
    name,
    capabilities,
    broker,
    async publish(queue, message, options) {
      checkOpen("publish");
      checkQueue(queue);
      const delayMs = checkPublishOptions(options);
      broker.enqueue(broker.queue(queue), toStored(queue, message), delayMs);
    },
    async publishBatch(queue, messages, options) {
      checkOpen("publish");
      checkQueue(queue);
      const delayMs = checkPublishOptions(options);
      // Validate everything first: a batch is accepted whole or not at all.
      const stored = Array.from(messages, (message) => toStored(queue, message));
      const state = broker.queue(queue);
      for (const message of stored) broker.enqueue(state, message, delayMs);
    },
    async consume(queue, handler: MessageHandler, options: ConsumeOptions = {}): Promise<Subscription> {
      checkOpen("consume");
      checkQueue(queue);
      if (typeof handler !== "function") throw fail("INVALID_ARGUMENT", "handler must be a function");
      const parsedOptions = consumeSchema.safeParse(options);
      if (!parsedOptions.success) {
        throw fail(
          "INVALID_ARGUMENT",
          `invalid consume options: ${z.prettifyError(parsedOptions.error)}`,
          parsedOptions.error,
        );
      }
      const consumer = broker.subscribe(connection, queue, handler, {
        concurrency: options.concurrency ?? 1,
        maxProcessingMs: options.maxProcessingMs ?? Number.POSITIVE_INFINITY,
        onError: options.onError,
      });
      const { signal } = options;
      const onAbort = (): void => void consumer.stop();
      if (signal?.aborted === true) void consumer.stop();
      else signal?.addEventListener("abort", onAbort, { once: true });
      return {
        stop: () => {
          signal?.removeEventListener("abort", onAbort);
          return consumer.stop();
        },
      };
    },
    async ensureQueue(queue, options) {
      checkOpen("ensure queue");
      checkQueue(queue);
      broker.queue(queue);
      if (options?.deadLetter !== false) broker.queue(deadLetterQueueName(queue));
    },
    async depth(queue) {
      checkOpen("read depth");
      return broker.depth(queue);
    },
    isReady: () => !(connection as Connection).closed,
    async close() {
      broker.disconnect(connection);
    },
  };
  return transport;
}

function copyAttributes(
  attributes: Readonly<Record<string, string>> | undefined,
  invalid: (key: string) => Error,
): Readonly<Record<string, string>> {
  if (attributes === undefined) return EMPTY_ATTRIBUTES;
  const copy: Record<string, string> = {};
  let empty = true;
  for (const [key, value] of Object.entries(attributes)) {
    if (typeof value !== "string") throw invalid(key);
    copy[key] = value;
    empty = false;
  }
  return empty ? EMPTY_ATTRIBUTES : Object.freeze(copy);
}
