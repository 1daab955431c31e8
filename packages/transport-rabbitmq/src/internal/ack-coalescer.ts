import type { Channel, Message } from "amqplib";

/**
 * The acks of one channel, coalesced: acks asked for in the same turn of the event loop go out as
 * one `basic.ack(multiple)` for the longest run of delivered tags that are all being acked, plus
 * single acks for the rest. Besides sending fewer frames, this keeps a burst of acks (a drain, a
 * batch of handlers finishing together) under RabbitMQ's per-channel soft limit for quorum queues:
 * settles past it wait in the broker's channel process and are dropped if the channel closes
 * first, so those messages come back (rabbitmq-server#10327, seen on 3.10 as a graceful drain that
 * left 15 of 50 acked messages in the queue).
 */
export class AckCoalescer {
  /** Delivered and not yet settled, in delivery order (= ascending tags: a Set keeps insertion order). */
  private readonly outstanding = new Set<number>();
  private readonly pending = new Set<number>();
  private scheduled: NodeJS.Immediate | undefined;

  constructor(private readonly channel: Pick<Channel, "ack">) {}

  /** Records a delivery (call in delivery order). */
  delivered(tag: number): void {
    this.outstanding.add(tag);
  }

  /** Acks `tag` in the next flush (at the latest on the next turn of the event loop). */
  ack(tag: number): void {
    this.pending.add(tag);
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /** `tag` is settled some other way (nack, reject): never covered by a multiple ack. */
  settledOtherwise(tag: number): void {
    this.outstanding.delete(tag);
    this.pending.delete(tag);
  }

  /** Sends every pending ack now. Never throws (a closed channel's deliveries come back anyway). */
  flush(): void {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.pending.size === 0) return;
    let upTo: number | undefined;
    let run = 0;
    for (const tag of this.outstanding) {
      if (!this.pending.has(tag)) break;
      upTo = tag;
      run++;
    }
    try {
      if (upTo !== undefined && run > 1) {
        this.channel.ack(tagged(upTo), true);
        for (const tag of this.outstanding) {
          if (tag > upTo) break;
          this.outstanding.delete(tag);
          this.pending.delete(tag);
        }
      }
      for (const tag of this.pending) {
        this.outstanding.delete(tag);
        this.channel.ack(tagged(tag));
      }
    } catch {
      // The channel is closed: the broker redelivers what was not acked.
    }
    this.pending.clear();
  }
}

/** What `channel.ack` reads from a message: its delivery tag. */
function tagged(deliveryTag: number): Message {
  return { fields: { deliveryTag } } as Message;
}
