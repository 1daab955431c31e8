import {
  DEAD_LETTER_REASON_ATTRIBUTE,
  type Disposition,
  deadLetterQueueName,
  type MessageHandler,
  type ReceivedMessage,
  type Subscription,
} from "@asya/transport";
import type { Channel, ConsumeMessage } from "amqplib";
import { classifyRabbitMqError } from "../classify-rabbitmq-error.js";
import type { ResolvedRabbitMqOptions } from "../rabbitmq-options.js";
import { MAX_DELAY_MS } from "../topology.js";
import { AckCoalescer } from "./ack-coalescer.js";
import type { Connected, ConnectionManager } from "./connection-manager.js";
import { receivedFrom } from "./message-codec.js";
import type { Publisher } from "./publisher.js";
import { backoffDelayMs, sleep } from "./timing.js";
import type { TopologyManager } from "./topology-manager.js";

/** Collaborators of a subscription. */
export interface SubscriptionDeps {
  readonly connections: ConnectionManager;
  readonly topology: TopologyManager;
  readonly publisher: Publisher;
  readonly options: ResolvedRabbitMqOptions;
  readonly secrets: readonly string[];
}

/** Settings of one subscription. */
export interface SubscriptionSettings {
  readonly queue: string;
  readonly handler: MessageHandler;
  readonly concurrency: number;
  readonly onError: ((error: unknown, message?: ReceivedMessage) => void) | undefined;
}

interface Attachment {
  readonly channel: Channel;
  readonly acks: AckCoalescer;
  readonly controller: AbortController;
  consumerTag: string | undefined;
  /** Closed by a drained stop(): settled handlers keep an un-aborted signal. */
  graceful?: boolean;
}

/**
 * One consumer: a channel with prefetch = concurrency, re-attached after every connection or
 * channel loss (re-declaring its queues). Handlers of a lost channel see `context.signal` abort;
 * their deliveries are left to the broker, which redelivers them.
 */
export class RabbitSubscription implements Subscription {
  private attachment: Attachment | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly wake = new AbortController();
  private fallbackId = 0;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly deps: SubscriptionDeps,
    private readonly settings: SubscriptionSettings,
  ) {}

  /** Attaches the first time; rejects on non-retryable errors or when no connection comes in time. */
  async start(): Promise<void> {
    const deadline = Date.now() + this.deps.options.publishTimeoutMs;
    const connected = await this.deps.connections.acquire(deadline);
    await this.attach(connected);
  }

  stop(): Promise<void> {
    this.stopped ??= this.drain();
    return this.stopped;
  }

  /**
   * Force-stop (transport close): abort every running handler's signal and close the channel
   * without waiting for handlers; their un-acked deliveries go back to the queue.
   */
  async abort(): Promise<void> {
    this.stopping = true;
    this.wake.abort();
    const attachment = this.attachment;
    this.attachment = undefined;
    if (attachment === undefined) return;
    attachment.controller.abort(new Error("transport closed"));
    attachment.acks.flush();
    await attachment.channel.close().catch(() => undefined);
  }

  private async drain(): Promise<void> {
    this.stopping = true;
    this.wake.abort();
    const attachment = this.attachment;
    if (attachment?.consumerTag !== undefined) {
      await attachment.channel.cancel(attachment.consumerTag).catch(() => undefined);
    }
    await this.loop;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    // A re-attach that finished while stopping left a (cancelled) channel of its own.
    const attachments = new Set([attachment, this.attachment]);
    this.attachment = undefined;
    for (const open of attachments) {
      if (open === undefined) continue;
      open.graceful = true;
      open.acks.flush();
      // One synchronous round trip before closing: on RabbitMQ 3.10 quorum queues, acks sent after
      // basic.cancel and immediately followed by channel.close are partly dropped (the messages
      // come back). The broker answers the passive declare only after processing the acks before it.
      await open.channel.checkQueue(this.settings.queue).catch(() => undefined);
      await open.channel.close().catch(() => undefined);
    }
  }

  private async attach(connected: Connected): Promise<void> {
    const { queue, concurrency } = this.settings;
    await this.deps.topology.ensureQueue(connected, queue);
    const channel = await connected.connection.createChannel();
    const attachment: Attachment = {
      channel,
      acks: new AckCoalescer(channel),
      controller: new AbortController(),
      consumerTag: undefined,
    };
    channel.on("error", (error: unknown) => this.report(classifyRabbitMqError(error, this.deps.secrets)));
    channel.on("close", () => this.detached(attachment));
    try {
      await channel.prefetch(concurrency);
      this.attachment = attachment;
      const ok = await channel.consume(queue, (message) => this.onDelivery(attachment, message), {
        noAck: false,
      });
      attachment.consumerTag = ok.consumerTag;
    } catch (error) {
      if (this.attachment === attachment) this.attachment = undefined;
      await channel.close().catch(() => undefined);
      throw classifyRabbitMqError(error, this.deps.secrets);
    }
    if (this.stopping) await channel.cancel(attachment.consumerTag).catch(() => undefined);
  }

  private detached(attachment: Attachment): void {
    if (attachment.graceful !== true) attachment.controller.abort(new Error("channel lost"));
    if (this.attachment !== attachment) return;
    this.attachment = undefined;
    if (!this.stopping) this.loop ??= this.reattach();
  }

  private async reattach(): Promise<void> {
    for (let attempt = 0; !this.stopping; attempt++) {
      const { reconnectInitialDelayMs, reconnectMaxDelayMs } = this.deps.options;
      await sleep(backoffDelayMs(attempt, reconnectInitialDelayMs, reconnectMaxDelayMs), this.wake.signal);
      if (this.stopping) break;
      try {
        const connected = await this.deps.connections.acquire(
          Date.now() + reconnectMaxDelayMs,
          this.wake.signal,
        );
        await this.attach(connected);
        break;
      } catch (error) {
        const classified = classifyRabbitMqError(error, this.deps.secrets);
        if (
          classified.code !== "CLOSED" &&
          classified.code !== "ABORTED" &&
          classified.code !== "CONNECTION"
        ) {
          this.report(classified);
        }
      }
    }
    this.loop = undefined;
  }

  private onDelivery(attachment: Attachment, message: ConsumeMessage | null): void {
    if (message === null) {
      // Broker-side cancel (queue deleted): drop this channel and attach again (re-declares).
      void attachment.channel.close().catch(() => undefined);
      return;
    }
    attachment.acks.delivered(message.fields.deliveryTag);
    const task = this.process(attachment, message);
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }

  private async process(attachment: Attachment, raw: ConsumeMessage): Promise<void> {
    const { queue, handler, concurrency } = this.settings;
    const received = receivedFrom(queue, raw, `${raw.fields.consumerTag}-${++this.fallbackId}`);
    // Prefetch bounds deliveries per channel; this bounds handlers across a reconnect, when
    // handlers of the lost channel may still be running.
    // A finishing handler hands its slot straight to the next waiter (no window for a third).
    if (this.active >= concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      if (attachment.controller.signal.aborted) return;
      let disposition: Disposition;
      try {
        disposition = await handler(received, { signal: attachment.controller.signal });
      } catch (error) {
        this.report(error, received);
        disposition = { kind: "retry" };
      }
      await this.settle(attachment, raw, received, disposition);
    } finally {
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.active--;
    }
  }

  private async settle(
    attachment: Attachment,
    raw: ConsumeMessage,
    received: ReceivedMessage,
    disposition: Disposition,
  ): Promise<void> {
    // The channel that delivered it is gone: the broker redelivers it; settling is impossible.
    if (attachment.controller.signal.aborted) return;
    const { channel } = attachment;
    const base = { body: received.body, attributes: received.attributes, messageId: received.id };
    try {
      if (disposition.kind === "ack") {
        attachment.acks.ack(raw.fields.deliveryTag);
      } else if (disposition.kind === "retry") {
        await this.deps.publisher.publish({
          queue: received.queue,
          wire: { ...base, deliveryCount: (received.deliveryCount ?? 1) + 1 },
          // Cut to the longest delay this transport has (capabilities.maxDelayMs).
          ...(disposition.delayMs === undefined
            ? {}
            : { delayMs: Math.min(disposition.delayMs, MAX_DELAY_MS) }),
        });
        attachment.acks.ack(raw.fields.deliveryTag);
      } else {
        await this.deps.publisher.publish({
          queue: deadLetterQueueName(received.queue),
          wire: {
            ...base,
            attributes: { ...received.attributes, [DEAD_LETTER_REASON_ATTRIBUTE]: disposition.reason },
            deliveryCount: 1,
          },
        });
        attachment.acks.ack(raw.fields.deliveryTag);
      }
    } catch (error) {
      this.report(classifyRabbitMqError(error, this.deps.secrets), received);
      // Never lose it: a failed retry copy goes back to the queue; a failed dead-letter copy is
      // rejected to the queue's DLX (lands in <queue>-dlq with x-death, reason "rejected").
      try {
        attachment.acks.settledOtherwise(raw.fields.deliveryTag);
        channel.nack(raw, false, disposition.kind !== "deadLetter");
      } catch {
        // Channel already closed: the broker redelivers the message.
      }
    }
  }

  private report(error: unknown, message?: ReceivedMessage): void {
    try {
      this.settings.onError?.(error, message);
    } catch {
      // A throwing onError must not break the consumer.
    }
  }
}
