/** A message read by a raw client. */
export interface RawMessage {
  readonly body: Uint8Array;
  readonly attributes: Readonly<Record<string, string>>;
}

/** A running raw consumer. */
export interface RawConsumer {
  stop(): Promise<void>;
}

/**
 * A broker reached with its vendor SDK directly (amqplib, @aws-sdk/client-sqs, @google-cloud/pubsub),
 * bypassing the Asya adapters: bodies go on the wire exactly as given, and results are read as the
 * broker holds them. Queues are declared through the adapter (`ensureQueue`) so their arguments match
 * what the runtime declares.
 */
export interface RawBroker {
  readonly name: "rabbitmq" | "sqs" | "pubsub";
  /** Largest body this broker accepts (what the adapter enforces). */
  readonly maxMessageBytes: number;
  /** Declare `queue` (and its DLQ) exactly as the Asya adapter does. */
  ensureQueue(queue: string): Promise<void>;
  /** Publish bodies as-is, resolving once the broker accepted all of them. */
  publish(queue: string, bodies: readonly Uint8Array[]): Promise<void>;
  /** Consume `queue`, acknowledging each message after `onMessage` returns. */
  consume(queue: string, onMessage: (message: RawMessage) => void): Promise<RawConsumer>;
  /** Messages waiting (ready, not in flight) in `queue`, when the broker can tell. */
  depth(queue: string): Promise<number | undefined>;
  close(): Promise<void>;
}

/** Splits `items` into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
