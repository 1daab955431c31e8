import { ChunkedQueue } from "../internal/chunked-queue.js";
import type { PackedBody } from "../internal/packed-body.js";
import type { TimerNode } from "../internal/timer-queue.js";
import type { Broker } from "./memory-broker.js";
import type { Consumer } from "./memory-consumer.js";

/** @internal A message as stored by the broker. */
export interface StoredMessage {
  /** Sequence number; the id string is only built on delivery. */
  readonly seq: number;
  readonly body: PackedBody;
  readonly attributes: Readonly<Record<string, string>>;
  deliveryCount: number;
}

/** @internal One queue: ready messages, counters and its consumers. */
export class QueueState {
  readonly ready = new ChunkedQueue<StoredMessage>();
  delayed = 0;
  inflight = 0;
  readonly consumers: Consumer[] = [];
  next = 0;
  constructor(readonly name: string) {}
}

/** @internal A message waiting in the timer heap until its delay elapsed. */
export class DelayedMessage implements TimerNode {
  seq = 0;
  heapIndex = -1;
  constructor(
    readonly dueAt: number,
    readonly queue: QueueState,
    readonly message: StoredMessage,
    readonly broker: Broker,
  ) {}
  fire(): void {
    this.broker.release(this.queue, this.message);
  }
}
