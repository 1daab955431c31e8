import { randomUUID } from "node:crypto";
import type { Channel, ConfirmChannel, Message } from "amqplib";
import { classifyRabbitMqError } from "../classify-rabbitmq-error.js";
import type { ResolvedRabbitMqOptions } from "../rabbitmq-options.js";
import { delayBucketMs } from "../topology.js";
import type { Connected, ConnectionManager } from "./connection-manager.js";
import { bodyBuffer, publishOptions, type WireMessage } from "./message-codec.js";
import { abortedError, rabbitError, sleep } from "./timing.js";
import type { TopologyManager } from "./topology-manager.js";

interface Pending {
  /** Epoch ms after which the confirm is given up (checked by the channel's sweep timer). */
  readonly deadline: number;
  readonly queue: string;
  returned?: string;
  settle(error: Error | null): void;
}

interface PublishChannel {
  readonly generation: number;
  readonly channel: Channel | ConfirmChannel;
  /**
   * Pending confirms by publish token (the AMQP `correlation-id` property, unique per publish: a
   * property is cheaper to encode than a header). `basic.return` carries it back, and confirms may
   * arrive out of order on quorum queues, so returns are matched by token, not by position.
   */
  readonly pending: Map<string, Pending>;
  /** Set while amqplib's write buffer is full; resolved on `drain`. */
  drained: Promise<void> | undefined;
  release: (() => void) | undefined;
  closed: boolean;
}

/** What one publish call needs besides the message. */
export interface PublishRequest {
  readonly queue: string;
  readonly wire: WireMessage;
  readonly delayMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Publishes through one shared (confirm) channel: mandatory + `basic.return` tracking, publisher
 * confirms, `drain` back-pressure, and transparent retry of retryable failures (connection loss,
 * lost confirms) until `publishTimeoutMs` — a publish either resolves once the broker confirmed it
 * or rejects with a TransportError; it never silently vanishes.
 */
export class Publisher {
  private readonly tokenPrefix = `${randomUUID().slice(0, 8)}-`;
  private sequence = 0;
  private slot: { generation: number; ready: Promise<PublishChannel>; state?: PublishChannel } | undefined;

  constructor(
    private readonly connections: ConnectionManager,
    private readonly topology: TopologyManager,
    private readonly options: ResolvedRabbitMqOptions,
    private readonly secrets: readonly string[],
  ) {
    connections.onDown(() => {
      this.slot = undefined;
    });
  }

  /** Publishes one message (declaring its queue first, once per connection). */
  async publish(request: PublishRequest): Promise<void> {
    const deadline = Date.now() + this.options.publishTimeoutMs;
    let unroutable = 0;
    for (let attempt = 0; ; attempt++) {
      if (request.signal?.aborted) throw abortedError(request.signal);
      try {
        // Hot path without extra awaits: connected, queue declared, channel open.
        const connected =
          this.connections.connectedNow() ?? (await this.connections.acquire(deadline, request.signal));
        const plain = request.delayMs === undefined || request.delayMs <= 0;
        const target =
          plain && this.topology.isDeclared(connected, request.queue)
            ? request.queue
            : await this.declareTarget(connected, request);
        const open = this.slot?.generation === connected.generation ? this.slot.state : undefined;
        await this.send(open ?? (await this.channelFor(connected)), target, request, deadline);
        return;
      } catch (error) {
        const classified = classifyRabbitMqError(error, this.secrets);
        if (!classified.retryable || Date.now() >= deadline || classified.code === "TIMEOUT")
          throw classified;
        // Returned as unroutable: the queue vanished after we declared it. The cache was
        // invalidated, so one more attempt re-declares it; a second return is reported.
        if (classified.code === "UNROUTABLE" && ++unroutable > 1) throw classified;
        await sleep(Math.min(50 * 2 ** attempt, 1_000, Math.max(0, deadline - Date.now())), request.signal);
      }
    }
  }

  private async declareTarget(connected: Connected, request: PublishRequest): Promise<string> {
    if (request.delayMs === undefined || request.delayMs <= 0) {
      await this.topology.ensureQueue(connected, request.queue);
      return request.queue;
    }
    return this.topology.ensureDelayQueue(connected, request.queue, delayBucketMs(request.delayMs));
  }

  private channelFor(connected: Connected): Promise<PublishChannel> {
    if (this.slot !== undefined && this.slot.generation === connected.generation) return this.slot.ready;
    const ready = this.openChannel(connected);
    const slot: { generation: number; ready: Promise<PublishChannel>; state?: PublishChannel } = {
      generation: connected.generation,
      ready,
    };
    this.slot = slot;
    ready.then(
      (state) => {
        if (!state.closed) slot.state = state;
      },
      () => {
        if (this.slot === slot) this.slot = undefined;
      },
    );
    return ready;
  }

  private async openChannel(connected: Connected): Promise<PublishChannel> {
    const channel = this.options.publishConfirms
      ? await connected.connection.createConfirmChannel()
      : await connected.connection.createChannel();
    const state: PublishChannel = {
      generation: connected.generation,
      channel,
      pending: new Map(),
      drained: undefined,
      release: undefined,
      closed: false,
    };
    channel.on("drain", () => unblock(state));
    // One sweep timer per channel instead of a timer per publish (measurably cheaper).
    const sweep = setInterval(() => expire(state), 200);
    sweep.unref();
    channel.on("return", (message: Message) => {
      const token = message.properties.correlationId;
      const pending = typeof token === "string" ? state.pending.get(token) : undefined;
      const fields = message.fields as typeof message.fields & { replyCode?: number; replyText?: string };
      const reason = `${fields.replyCode ?? "?"} ${fields.replyText ?? "unroutable"}`;
      this.topology.invalidate(message.fields.routingKey);
      if (pending !== undefined) pending.returned = reason;
      else if (!this.options.publishConfirms) {
        this.options.logger?.warn?.("[asya:rabbitmq] message returned as unroutable", {
          queue: message.fields.routingKey,
          reason,
        });
      }
    });
    channel.on("error", () => undefined);
    channel.on("close", () => {
      state.closed = true;
      clearInterval(sweep);
      unblock(state);
      if (this.slot?.generation === state.generation) this.slot = undefined;
      // amqplib fails pending confirm callbacks itself; settle any leftovers the same way.
      for (const pending of [...state.pending.values()]) pending.settle(new Error("channel closed"));
      state.pending.clear();
    });
    return state;
  }

  private async send(
    state: PublishChannel,
    target: string,
    request: PublishRequest,
    deadline: number,
  ): Promise<void> {
    while (state.drained !== undefined && !state.closed) await state.drained;
    if (state.closed) throw rabbitError("publish channel closed", "CONNECTION", true);
    const token = `${this.tokenPrefix}${++this.sequence}`;
    const body = bodyBuffer(request.wire.body);
    const options = publishOptions(request.wire);
    options.correlationId = token;
    if (!this.options.publishConfirms) {
      if (!state.channel.publish("", target, body, options)) block(state);
      return;
    }
    const confirm = new Promise<void>((resolve, reject) => {
      const onAbort = (): void => pending.settle(abortedError(request.signal!));
      request.signal?.addEventListener("abort", onAbort, { once: true });
      const pending: Pending = {
        deadline,
        queue: request.queue,
        settle: (error) => {
          if (request.signal !== undefined) request.signal.removeEventListener("abort", onAbort);
          state.pending.delete(token);
          if (error !== null) reject(error);
          else if (pending.returned !== undefined) {
            reject(
              rabbitError(
                `message to ${request.queue} was unroutable (${pending.returned})`,
                "UNROUTABLE",
                true,
              ),
            );
          } else resolve();
        },
      };
      state.pending.set(token, pending);
    });
    try {
      const written = (state.channel as ConfirmChannel).publish("", target, body, options, (error) => {
        state.pending.get(token)?.settle(error === null || error === undefined ? null : error);
      });
      if (!written) block(state);
    } catch (error) {
      state.pending.get(token)?.settle(error instanceof Error ? error : new Error(String(error)));
    }
    await confirm;
  }
}

/** amqplib's buffer is full: later publishes wait for `drain` (memory stays flat under load). */
function block(state: PublishChannel): void {
  state.drained ??= new Promise<void>((resolve) => {
    state.release = resolve;
  });
}

function unblock(state: PublishChannel): void {
  state.drained = undefined;
  state.release?.();
  state.release = undefined;
}

function expire(state: PublishChannel): void {
  const now = Date.now();
  for (const pending of [...state.pending.values()]) {
    if (pending.deadline > now) continue;
    pending.settle(
      rabbitError(
        `timed out waiting for the broker to confirm a publish to ${pending.queue}`,
        "TIMEOUT",
        true,
      ),
    );
  }
}
