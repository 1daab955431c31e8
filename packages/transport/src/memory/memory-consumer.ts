import type { TimerNode } from "../internal/timer-queue.js";
import type {
  Disposition,
  MessageContext,
  MessageHandler,
  ReceivedMessage,
  Subscription,
} from "../transport.js";
import type { Broker } from "./memory-broker.js";
import type { QueueState, StoredMessage } from "./memory-queue.js";

/** @internal One hand-out of a message to a consumer; a timer node for its visibility deadline. */
export class Delivery implements TimerNode {
  seq = 0;
  heapIndex = -1;
  settled = false;
  // Created on first use: most handlers never look at their signal, and an AbortController per
  // delivery is a measurable share of the hot path at a million messages.
  #controller: AbortController | undefined;
  constructor(
    public dueAt: number,
    readonly consumer: Consumer,
    readonly message: StoredMessage,
    readonly startedAt: number,
  ) {}
  fire(): void {
    this.consumer.broker.visibilityLapsed(this);
  }
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }
  abort(reason: unknown): void {
    this.#controller ??= new AbortController();
    this.#controller.abort(reason);
  }
}

/** The handler's view of a delivery: only its signal. */
export class DeliveryContext implements MessageContext {
  readonly #delivery: Delivery;
  constructor(delivery: Delivery) {
    this.#delivery = delivery;
  }
  get signal(): AbortSignal {
    return this.#delivery.signal;
  }
}

/** @internal One open transport on a broker. */
export class Connection {
  readonly consumers = new Set<Consumer>();
  closed = false;
  constructor(
    readonly broker: Broker,
    readonly transportName: string,
    readonly visibilityTimeoutMs: number,
    readonly maxDelayMs: number,
  ) {}
}

/** @internal Options of a consumer after validation. */
export interface ConsumerSettings {
  readonly concurrency: number;
  readonly maxProcessingMs: number;
  readonly onError: ((error: unknown, message?: ReceivedMessage) => void) | undefined;
}

/** @internal A subscription on a queue. */
export class Consumer implements Subscription {
  active = 0;
  stopped = false;
  readonly deliveries = new Set<Delivery>();
  #drained: Promise<void> | undefined;
  #resolveDrained: (() => void) | undefined;

  constructor(
    readonly broker: Broker,
    readonly connection: Connection,
    readonly queue: QueueState,
    readonly handler: MessageHandler,
    readonly settings: ConsumerSettings,
  ) {}

  stop(): Promise<void> {
    if (this.#drained === undefined) {
      this.broker.detach(this);
      // After close the remaining handlers were abandoned (aborted, messages requeued): nothing to drain.
      this.#drained =
        this.active === 0 || this.connection.closed
          ? Promise.resolve()
          : new Promise((resolve) => (this.#resolveDrained = resolve));
    }
    return this.#drained;
  }

  /** Called when an in-flight handler returned, or when the connection closed. */
  checkDrained(force = false): void {
    if (this.#resolveDrained !== undefined && (force || this.active === 0)) {
      this.#resolveDrained();
      this.#resolveDrained = undefined;
    }
  }

  report(error: unknown, message?: ReceivedMessage): void {
    try {
      this.settings.onError?.(error, message);
    } catch {
      // A throwing error callback must not break delivery.
    }
  }
}

/** @internal */
export const RETRY: Disposition = { kind: "retry" };

/** @internal Runtime check of a handler result. */
export function isDisposition(value: unknown): value is Disposition {
  if (typeof value !== "object" || value === null) return false;
  const d = value as { kind?: unknown; delayMs?: unknown; reason?: unknown };
  switch (d.kind) {
    case "ack":
      return true;
    case "retry":
      return (
        d.delayMs === undefined ||
        (typeof d.delayMs === "number" && Number.isFinite(d.delayMs) && d.delayMs >= 0)
      );
    case "deadLetter":
      return typeof d.reason === "string";
    default:
      return false;
  }
}
