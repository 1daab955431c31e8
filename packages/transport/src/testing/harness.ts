import { randomBytes } from "node:crypto";
import type { MessageContext, MessageHandler, ReceivedMessage, Transport } from "../transport.js";

/** Options of {@link describeTransport}. */
export interface DescribeTransportOptions {
  /** Shown in the suite title, e.g. `rabbitmq`. */
  readonly name: string;
  /** A fresh transport on the broker under test; called several times per test (competing consumers). */
  create(): Transport | Promise<Transport>;
  /** Runs after each test, once the suite closed every transport it created. */
  cleanup?(): Promise<void>;
  /**
   * Create `queue` and `<queue>-dlq` before a test uses them.
   * @default `transport.ensureQueue?.(queue)`
   */
  prepareQueue?(transport: Transport, queue: string): Promise<void>;
  /**
   * Longest time until an un-acked message of a dead consumer (closed transport) is delivered
   * again, and until an acked message would have come back if the ack had been lost.
   * @default 5000
   */
  readonly redeliveryTimeoutMs?: number;
  /** Multiplies every timing tolerance (not the delays under test) for slow emulators. @default 1 */
  readonly timeScale?: number;
  /** Register transport-specific tests inside the suite's `describe`. */
  extraTests?(ctx: ConformanceContext): void;
}

/** What {@link DescribeTransportOptions.extraTests} receives. */
export interface ConformanceContext {
  /** A fresh transport, closed by the suite after the test. */
  create(): Promise<Transport>;
  /** A unique queue name (`asya-conf-<hex>`), not yet prepared. */
  uniqueQueue(): string;
  /** A unique queue name, prepared (with its DLQ) through `prepareQueue` on `transport`. */
  queue(transport: Transport): Promise<string>;
  /** Scale a tolerance in ms by `timeScale`. */
  ms(baseMs: number): number;
  /** The resolved `redeliveryTimeoutMs`. */
  readonly redeliveryTimeoutMs: number;
}

/** One delivery seen by a {@link Recorder}. */
export interface RecordedDelivery {
  readonly message: ReceivedMessage;
  readonly context: MessageContext;
  /** `performance.now()` when the handler was called. */
  readonly at: number;
  /** Label of the consumer that got it. */
  readonly consumer: string;
}

/** Poll `condition` every 10 ms until it holds; fails with `what()` after `timeoutMs`. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: () => string,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline)
      throw new Error(`timed out after ${Math.round(timeoutMs)} ms: ${what()}`);
    await sleep(10);
  }
}

/** Settle like `promise`, or fail with `what` after `timeoutMs` (a clear message instead of a test timeout). */
export async function within<T>(
  promise: Promise<T>,
  timeoutMs: number,
  what: string | (() => string),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const detail = typeof what === "string" ? what : what();
      reject(new Error(`timed out after ${Math.round(timeoutMs)} ms: ${detail}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolve after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolve when `signal` aborts, or after `maxMs` as a safety net. */
export function untilAborted(signal: AbortSignal, maxMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, maxMs);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** `bytes` decoded as UTF-8. */
export function text(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Hex of `bytes`, for readable byte-exact assertions. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** Handler spy: records every delivery so tests await outcomes instead of sleeping. */
export class Recorder {
  readonly deliveries: RecordedDelivery[] = [];

  /** A handler recording under `consumer` and answering with `decide` (default: ack). */
  handler(
    consumer = "c1",
    decide: (delivery: RecordedDelivery, index: number) => ReturnType<MessageHandler> = () => ({
      kind: "ack",
    }),
  ): MessageHandler {
    return (message, context) => {
      const delivery: RecordedDelivery = { message, context, at: performance.now(), consumer };
      this.deliveries.push(delivery);
      return decide(delivery, this.deliveries.length - 1);
    };
  }

  /** Bodies (UTF-8) in delivery order. */
  texts(): string[] {
    return this.deliveries.map((d) => text(d.message.body));
  }

  /** Wait until at least `count` deliveries were seen. */
  async waitFor(count: number, timeoutMs: number): Promise<RecordedDelivery[]> {
    await eventually(
      () => this.deliveries.length >= count,
      timeoutMs,
      () =>
        `expected ${count} deliveries, got ${this.deliveries.length}: ${JSON.stringify(this.texts().slice(0, 20))}`,
    );
    return this.deliveries;
  }
}

/** Per-suite state: tracks transports and queues, resolves timing options. */
export class Harness {
  readonly redeliveryTimeoutMs: number;
  readonly timeScale: number;
  readonly #transports: Transport[] = [];

  constructor(readonly options: DescribeTransportOptions) {
    this.redeliveryTimeoutMs = options.redeliveryTimeoutMs ?? 5000;
    this.timeScale = options.timeScale ?? 1;
  }

  /** Scale a tolerance by `timeScale`. */
  ms(baseMs: number): number {
    return baseMs * this.timeScale;
  }

  /** How long to wait for a delivery that must happen. */
  get deliveryTimeoutMs(): number {
    return this.ms(10_000);
  }

  /** How long to watch for an immediate duplicate that must NOT happen. */
  get shortWindowMs(): number {
    return this.ms(300);
  }

  /** How long to watch for something that must NOT happen, beyond redelivery (e.g. a lost ack). */
  get quietWindowMs(): number {
    return this.redeliveryTimeoutMs + this.ms(300);
  }

  /** A per-test timeout for vitest: `baseMs` scaled plus room for redelivery. */
  testTimeout(baseMs = 15_000): number {
    return this.ms(baseMs) + 3 * this.redeliveryTimeoutMs;
  }

  async create(): Promise<Transport> {
    const transport = await this.options.create();
    this.#transports.push(transport);
    return transport;
  }

  uniqueQueue(): string {
    return `asya-conf-${randomBytes(6).toString("hex")}`;
  }

  async queue(transport: Transport): Promise<string> {
    const queue = this.uniqueQueue();
    if (this.options.prepareQueue !== undefined) await this.options.prepareQueue(transport, queue);
    else await transport.ensureQueue?.(queue);
    return queue;
  }

  /** Close every transport created in this test (errors are collected and rethrown), then cleanup. */
  async cleanup(): Promise<void> {
    const transports = this.#transports.splice(0);
    const results = await Promise.allSettled(transports.map((t) => t.close()));
    await this.options.cleanup?.();
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }

  context(): ConformanceContext {
    return {
      create: () => this.create(),
      uniqueQueue: () => this.uniqueQueue(),
      queue: (transport) => this.queue(transport),
      ms: (baseMs) => this.ms(baseMs),
      redeliveryTimeoutMs: this.redeliveryTimeoutMs,
    };
  }
}
