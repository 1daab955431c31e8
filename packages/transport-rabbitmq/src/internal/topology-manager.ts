import { deadLetterQueueName } from "@asya/transport";
import type { Channel } from "amqplib";
import { classifyRabbitMqError } from "../classify-rabbitmq-error.js";
import type { ResolvedRabbitMqOptions } from "../rabbitmq-options.js";
import {
  delayQueueExpiresMs,
  delayQueueName,
  delayQueueOptions,
  isDeadLetterQueue,
  queueOptions,
} from "../topology.js";
import type { Connected, ConnectionManager } from "./connection-manager.js";

interface ChannelSlot {
  readonly generation: number;
  readonly channel: Promise<Channel>;
}

/**
 * Declares queues idempotently, once per connection generation (delay queues are re-declared
 * periodically because `x-expires` counts from the last declaration). Uses its own channel: a
 * failed declare (406, 404) closes the channel it ran on, and must not take publishes with it.
 */
export class TopologyManager {
  private slot: ChannelSlot | undefined;
  private generation = 0;
  private readonly declared = new Map<string, { at: number; done: Promise<void> }>();
  /** Work queues whose declaration (with DLQ) completed in the current generation. */
  private readonly ready = new Set<string>();

  constructor(
    connections: ConnectionManager,
    private readonly options: ResolvedRabbitMqOptions,
    private readonly secrets: readonly string[],
  ) {
    connections.onDown(() => {
      this.slot = undefined;
      this.declared.clear();
      this.ready.clear();
    });
  }

  /** Whether `queue` and its DLQ are already declared on this connection (hot-path check). */
  isDeclared(connected: Connected, queue: string): boolean {
    return connected.generation === this.generation && this.ready.has(queue);
  }

  /** Declares `queue` (and `<queue>-dlq` unless `deadLetter` is false). */
  async ensureQueue(connected: Connected, queue: string, deadLetter = true): Promise<void> {
    const work = this.declareOnce(connected, queue, (ch) =>
      ch.assertQueue(queue, this.queueOptionsOf(queue)),
    );
    // A dead-letter queue has no DLX (see queueArguments), so it needs no "-dlq-dlq" either.
    if (!deadLetter || isDeadLetterQueue(queue)) return work;
    const dlq = deadLetterQueueName(queue);
    await Promise.all([
      work,
      this.declareOnce(connected, dlq, (ch) => ch.assertQueue(dlq, this.queueOptionsOf(dlq))),
    ]);
  }

  /** Declares the delay queue of one bucket (after the work queue and its DLQ). */
  async ensureDelayQueue(connected: Connected, queue: string, bucketMs: number): Promise<string> {
    await this.ensureQueue(connected, queue);
    const name = delayQueueName(queue, bucketMs);
    // Re-declare long before x-expires could fire: every message in the bucket expires within
    // bucketMs of its publish, and the queue lives delayQueueExpiresMs after the last declaration.
    const refreshMs = Math.max(1_000, (delayQueueExpiresMs(bucketMs) - bucketMs) / 4);
    await this.declareOnce(
      connected,
      name,
      (ch) => ch.assertQueue(name, delayQueueOptions(queue, bucketMs)),
      refreshMs,
    );
    return name;
  }

  /** Ready-message count via a passive declare. */
  async depth(connected: Connected, queue: string): Promise<number> {
    const ok = await this.run(connected, (ch) => ch.checkQueue(queue));
    return ok.messageCount;
  }

  /** Forgets a queue so the next publish declares it again (e.g. after it was deleted). */
  invalidate(queue: string): void {
    this.declared.delete(queue);
    this.ready.delete(queue);
  }

  private queueOptionsOf(queue: string) {
    return queueOptions(queue, this.options.queueType, this.options.deliveryLimit);
  }

  private declareOnce(
    connected: Connected,
    name: string,
    declare: (channel: Channel) => Promise<unknown>,
    refreshMs = Number.POSITIVE_INFINITY,
  ): Promise<void> {
    if (connected.generation !== this.generation) {
      this.generation = connected.generation;
      this.declared.clear();
      this.ready.clear();
    }
    const entry = this.declared.get(name);
    if (entry !== undefined && Date.now() - entry.at < refreshMs) return entry.done;
    const done = this.run(connected, declare).then(() => undefined);
    const fresh = { at: Date.now(), done };
    this.declared.set(name, fresh);
    done.catch(() => {
      if (this.declared.get(name) === fresh) this.declared.delete(name);
    });
    return done;
  }

  private async run<T>(connected: Connected, fn: (channel: Channel) => Promise<T>): Promise<T> {
    const slot = this.channelFor(connected);
    try {
      return await fn(await slot.channel);
    } catch (error) {
      throw classifyRabbitMqError(error, this.secrets);
    }
  }

  private channelFor(connected: Connected): ChannelSlot {
    if (this.slot !== undefined && this.slot.generation === connected.generation) return this.slot;
    const channel = connected.connection.createChannel();
    const slot: ChannelSlot = { generation: connected.generation, channel };
    this.slot = slot;
    const drop = (): void => {
      if (this.slot === slot) this.slot = undefined;
    };
    channel.then((ch) => {
      // A channel error (e.g. 404 from a passive declare) closes only this channel.
      ch.on("error", () => undefined);
      ch.on("close", drop);
    }, drop);
    return slot;
  }
}
