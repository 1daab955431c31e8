import { type Clock, systemClock } from "../clock.js";
import { unpackBody } from "../internal/packed-body.js";
import { TimerQueue } from "../internal/timer-queue.js";
import type { Disposition, MessageHandler, ReceivedMessage } from "../transport.js";
import { DEAD_LETTER_REASON_ATTRIBUTE, deadLetterQueueName } from "../transport.js";
import { TransportError } from "../transport-error.js";
import {
  Connection,
  Consumer,
  type ConsumerSettings,
  Delivery,
  DeliveryContext,
  isDisposition,
  RETRY,
} from "./memory-consumer.js";
import { DelayedMessage, QueueState, type StoredMessage } from "./memory-queue.js";

/**
 * The shared state behind one or more memory transports: queues, delayed messages and in-flight
 * deliveries. Transports created with the same broker see the same queues, like clients of one
 * real broker; closing a transport releases its un-acked deliveries back to the broker.
 */
export interface MemoryBroker {
  /** Names of the queues created so far (by publish, consume or `ensureQueue`). */
  queueNames(): string[];
  /** Messages in `queue`: ready + delayed + in flight (0 for an unknown queue). */
  depth(queue: string): number;
}

/** @internal The broker implementation. */
export class Broker implements MemoryBroker {
  readonly #queues = new Map<string, QueueState>();
  readonly #timers: TimerQueue;
  readonly #pending = new Set<QueueState>();
  #dispatchScheduled = false;
  #openConnections = 0;
  #nextId = 0;
  readonly #idPrefix = `m${Math.random().toString(36).slice(2, 8)}-`;
  /** The broker's time: delays, visibility deadlines and keep-alives run on it. */
  readonly clock: Clock;

  constructor(clock: Clock = systemClock) {
    this.clock = clock;
    this.#timers = new TimerQueue(clock);
  }

  queueNames(): string[] {
    return [...this.#queues.keys()];
  }

  depth(queue: string): number {
    const q = this.#queues.get(queue);
    return q === undefined ? 0 : q.ready.length + q.delayed + q.inflight;
  }

  queue(name: string): QueueState {
    let q = this.#queues.get(name);
    if (q === undefined) {
      q = new QueueState(name);
      this.#queues.set(name, q);
    }
    return q;
  }

  nextSeq(): number {
    return this.#nextId++;
  }

  id(message: StoredMessage): string {
    return this.#idPrefix + message.seq.toString(36);
  }

  connect(transportName: string, visibilityTimeoutMs: number, maxDelayMs: number): Connection {
    this.#openConnections++;
    this.#timers.setReferenced(true);
    return new Connection(this, transportName, visibilityTimeoutMs, maxDelayMs);
  }

  disconnect(connection: Connection): void {
    if (connection.closed) return;
    connection.closed = true;
    for (const consumer of connection.consumers) {
      this.detach(consumer);
      for (const delivery of consumer.deliveries) this.#requeue(delivery, "transport closed");
      consumer.checkDrained(true);
    }
    connection.consumers.clear();
    this.#openConnections--;
    // Pending delays must not keep a process alive once nothing can consume them.
    if (this.#openConnections === 0) this.#timers.setReferenced(false);
  }

  /** Accept a message into `queue`, visible after `delayMs`. */
  enqueue(queue: QueueState, message: StoredMessage, delayMs: number): void {
    if (delayMs > 0) {
      queue.delayed++;
      this.#timers.schedule(new DelayedMessage(this.#timers.now() + delayMs, queue, message, this));
    } else {
      queue.ready.push(message);
      this.#scheduleDispatch(queue);
    }
  }

  /** A delayed message became due. */
  release(queue: QueueState, message: StoredMessage): void {
    queue.delayed--;
    queue.ready.push(message);
    this.#scheduleDispatch(queue);
  }

  subscribe(
    connection: Connection,
    queueName: string,
    handler: MessageHandler,
    settings: ConsumerSettings,
  ): Consumer {
    const queue = this.queue(queueName);
    const consumer = new Consumer(this, connection, queue, handler, settings);
    connection.consumers.add(consumer);
    queue.consumers.push(consumer);
    this.#scheduleDispatch(queue);
    return consumer;
  }

  detach(consumer: Consumer): void {
    if (consumer.stopped) return;
    consumer.stopped = true;
    const list = consumer.queue.consumers;
    const index = list.indexOf(consumer);
    if (index >= 0) list.splice(index, 1);
    // It stays in connection.consumers until drained, so a close() during stop() still aborts
    // its in-flight handlers and requeues their messages.
    if (consumer.active === 0) consumer.connection.consumers.delete(consumer);
  }

  visibilityLapsed(delivery: Delivery): void {
    if (delivery.settled) return;
    const { consumer } = delivery;
    const t = this.#timers.now();
    if (t - delivery.startedAt < consumer.settings.maxProcessingMs) {
      // Keep-alive: the handler is still running, extend like an SQS visibility heartbeat.
      delivery.dueAt = t + consumer.connection.visibilityTimeoutMs;
      this.#timers.schedule(delivery);
      return;
    }
    this.#requeue(delivery, "visibility timeout lapsed");
  }

  #requeue(delivery: Delivery, why: string): void {
    if (delivery.settled) return;
    delivery.settled = true;
    this.#timers.cancel(delivery);
    const queue = delivery.consumer.queue;
    queue.inflight--;
    delivery.abort(
      new TransportError(`delivery of ${this.id(delivery.message)} on ${queue.name} abandoned: ${why}`, {
        code: "ABORTED",
        retryable: true,
        transport: delivery.consumer.connection.transportName,
      }),
    );
    queue.ready.push(delivery.message);
    this.#scheduleDispatch(queue);
  }

  #scheduleDispatch(queue: QueueState): void {
    if (queue.consumers.length === 0) return;
    this.#pending.add(queue);
    if (this.#dispatchScheduled) return;
    this.#dispatchScheduled = true;
    // Deliver from a microtask so handlers never run inside the publisher's call stack.
    queueMicrotask(() => {
      this.#dispatchScheduled = false;
      for (const q of this.#pending) {
        this.#pending.delete(q);
        this.#dispatch(q);
      }
    });
  }

  #dispatch(queue: QueueState): void {
    while (queue.ready.length > 0) {
      const consumer = this.#pickConsumer(queue);
      if (consumer === undefined) return;
      this.#deliver(consumer, queue.ready.shift()!);
    }
  }

  #pickConsumer(queue: QueueState): Consumer | undefined {
    const n = queue.consumers.length;
    for (let i = 0; i < n; i++) {
      const index = (queue.next + i) % n;
      const consumer = queue.consumers[index]!;
      if (consumer.active < consumer.settings.concurrency) {
        queue.next = (index + 1) % n;
        return consumer;
      }
    }
    return undefined;
  }

  #deliver(consumer: Consumer, message: StoredMessage): void {
    const { queue } = consumer;
    message.deliveryCount++;
    queue.inflight++;
    consumer.active++;
    const t = this.#timers.now();
    const delivery = new Delivery(t + consumer.connection.visibilityTimeoutMs, consumer, message, t);
    this.#timers.schedule(delivery);
    consumer.deliveries.add(delivery);
    const received: ReceivedMessage = {
      queue: queue.name,
      id: this.id(message),
      // A copy, so a handler mutating its bytes cannot alter a later redelivery.
      body: unpackBody(message.body),
      attributes: message.attributes,
      deliveryCount: message.deliveryCount,
    };
    void this.#run(consumer, delivery, received);
  }

  async #run(consumer: Consumer, delivery: Delivery, received: ReceivedMessage): Promise<void> {
    let disposition: Disposition;
    try {
      const result: unknown = await consumer.handler(received, new DeliveryContext(delivery));
      if (!isDisposition(result)) {
        throw new TransportError(`handler returned an invalid disposition for ${received.id}`, {
          code: "INVALID_ARGUMENT",
          retryable: false,
          transport: consumer.connection.transportName,
        });
      }
      disposition = result;
    } catch (error) {
      if (!delivery.settled) consumer.report(error, received);
      disposition = RETRY;
    }
    consumer.active--;
    consumer.deliveries.delete(delivery);
    if (!delivery.settled) this.#settle(delivery, disposition);
    if (consumer.stopped && consumer.active === 0) consumer.connection.consumers.delete(consumer);
    consumer.checkDrained();
    this.#scheduleDispatch(consumer.queue);
  }

  #settle(delivery: Delivery, disposition: Disposition): void {
    delivery.settled = true;
    this.#timers.cancel(delivery);
    const queue = delivery.consumer.queue;
    const { message } = delivery;
    queue.inflight--;
    switch (disposition.kind) {
      case "ack":
        return;
      case "retry":
        // Cut to the transport's maxDelayMs, as a broker with a delay limit would.
        this.enqueue(
          queue,
          message,
          Math.min(disposition.delayMs ?? 0, delivery.consumer.connection.maxDelayMs),
        );
        return;
      case "deadLetter":
        this.enqueue(
          this.queue(deadLetterQueueName(queue.name)),
          {
            seq: message.seq,
            body: message.body,
            attributes: { ...message.attributes, [DEAD_LETTER_REASON_ATTRIBUTE]: disposition.reason },
            deliveryCount: 0,
          },
          0,
        );
        return;
    }
  }
}

/**
 * Create a broker to share between several memory transports (e.g. every actor of a mesh running in
 * one process).
 *
 * @example
 * ```ts
 * const broker = createMemoryBroker();
 * const a = createMemoryTransport({ broker });
 * const b = createMemoryTransport({ broker }); // sees a's queues
 * ```
 */
export function createMemoryBroker(options: MemoryBrokerOptions = {}): MemoryBroker {
  return new Broker(options.clock);
}

/** Options of {@link createMemoryBroker}. */
export interface MemoryBrokerOptions {
  /** Time for delays, visibility deadlines and keep-alives (a `createTestClock()` in tests). @default systemClock */
  readonly clock?: Clock;
}

/** @internal */
export function isBroker(value: unknown): value is Broker {
  return value instanceof Broker;
}
