import { expect, it } from "vitest";
import { publishAll } from "../publish-all.js";
import { isTransportError, type TransportErrorCode } from "../transport-error.js";
import { eventually, type Harness, Recorder, sleep, utf8, within } from "./harness.js";

async function expectTransportError(promise: Promise<unknown>, code: TransportErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected a TransportError ${code}, but it resolved`).toBeDefined();
  expect(isTransportError(error), `expected a TransportError, got ${String(error)}`).toBe(true);
  expect(error).toMatchObject({ code, retryable: false });
  expect((error as Error).message).toMatch(/^\[asya:[^\]]+\] /);
}

/** Capabilities, close, limits, abort, depth, batches, ordering. */
export function lifecycleCases(h: Harness): void {
  it(
    "declares consistent capabilities, ensures queues idempotently and is ready until closed",
    async () => {
      const transport = await h.create();
      const caps = transport.capabilities;
      expect(typeof transport.name).toBe("string");
      expect(transport.name).not.toBe("");
      expect(Number.isInteger(caps.maxMessageBytes) && caps.maxMessageBytes > 0).toBe(true);
      expect(Number.isInteger(caps.maxDelayMs) && caps.maxDelayMs >= 0, "maxDelayMs").toBe(true);
      expect(caps).not.toHaveProperty("nativeDelay"); // maxDelayMs alone says what delays do
      if (caps.batchPublish) expect(typeof transport.publishBatch).toBe("function");
      expect(["undefined", "function"]).toContain(typeof transport.depth);
      expect(caps).not.toHaveProperty("depth"); // the method is the capability
      for (const key of ["deadLetter", "batchPublish", "ordering", "keepAlive"] as const) {
        expect(typeof caps[key], key).toBe("boolean");
      }
      expect(transport.isReady()).toBe(true);
      if (transport.ensureQueue !== undefined) {
        const queue = await h.queue(transport);
        await transport.ensureQueue(queue); // idempotent
        await transport.ensureQueue(queue);
      }
      await transport.close();
      expect(transport.isReady()).toBe(false);
    },
    h.testTimeout(),
  );

  it(
    "closes idempotently and rejects publish and consume after close with CLOSED",
    async () => {
      const transport = await h.create();
      const queue = await h.queue(transport);
      await Promise.all([transport.close(), transport.close()]);
      await transport.close();
      await expectTransportError(transport.publish(queue, { body: utf8("too late") }), "CLOSED");
      await expectTransportError(
        transport.consume(queue, () => ({ kind: "ack" })),
        "CLOSED",
      );
    },
    h.testTimeout(),
  );

  it(
    "rejects a body of maxMessageBytes + 1 with TOO_LARGE (not retryable)",
    async () => {
      const transport = await h.create();
      const queue = await h.queue(transport);
      const body = new Uint8Array(transport.capabilities.maxMessageBytes + 1).fill(0x61);
      await expectTransportError(transport.publish(queue, { body }), "TOO_LARGE");
    },
    h.testTimeout(),
  );

  it(
    "rejects a publish whose signal is already aborted with ABORTED and publishes nothing",
    async () => {
      const transport = await h.create();
      const queue = await h.queue(transport);
      const recorder = new Recorder();
      await transport.consume(queue, recorder.handler());
      await expectTransportError(
        transport.publish(queue, { body: utf8("aborted") }, { signal: AbortSignal.abort() }),
        "ABORTED",
      );
      if (transport.publishBatch !== undefined) {
        await expectTransportError(
          transport.publishBatch(queue, [{ body: utf8("aborted-batch") }], { signal: AbortSignal.abort() }),
          "ABORTED",
        );
      }
      // A live signal that is aborted only after the publish resolved changes nothing.
      const controller = new AbortController();
      await transport.publish(queue, { body: utf8("kept") }, { signal: controller.signal });
      controller.abort();
      await recorder.waitFor(1, h.deliveryTimeoutMs);
      await sleep(h.ms(300));
      expect(recorder.texts()).toEqual(["kept"]);

      // Aborted while pending: settles promptly, either accepted (the broker was faster) or ABORTED.
      const racing = new AbortController();
      const pending = transport.publish(queue, { body: utf8("racing") }, { signal: racing.signal });
      racing.abort();
      const outcome = await within(
        pending.then(
          () => "published",
          (e: unknown) => e,
        ),
        h.ms(5000),
        "a publish aborted while pending did not settle",
      );
      if (outcome !== "published") expect(outcome).toMatchObject({ name: "TransportError", code: "ABORTED" });
      else await recorder.waitFor(2, h.deliveryTimeoutMs);
    },
    h.testTimeout(),
  );

  it(
    "reports depth (when it has a depth method)",
    async () => {
      const transport = await h.create();
      const queue = await h.queue(transport);
      for (let i = 0; i < 3; i++) await transport.publish(queue, { body: utf8(`depth-${i}`) });
      if (transport.depth === undefined) return;
      let depth: number | undefined;
      const poll = async (expected: number) => {
        const deadline = performance.now() + h.deliveryTimeoutMs;
        for (;;) {
          depth = await transport.depth!(queue);
          if (depth === expected) return;
          if (performance.now() > deadline) throw new Error(`depth ${depth}, expected ${expected}`);
          await sleep(50);
        }
      };
      await poll(3);
      const recorder = new Recorder();
      await transport.consume(queue, recorder.handler());
      await recorder.waitFor(3, h.deliveryTimeoutMs);
      await poll(0);
    },
    h.testTimeout(),
  );

  it(
    "publishes batches (batchPublish) or through the publishAll fallback",
    async () => {
      const transport = await h.create();
      const queue = await h.queue(transport);
      const messages = Array.from({ length: 5 }, (_, i) => ({
        body: utf8(`batch-${i}`),
        attributes: { "conf-index": String(i) },
      }));
      if (transport.capabilities.batchPublish) await transport.publishBatch!(queue, messages);
      else await publishAll(transport, queue, messages);
      const recorder = new Recorder();
      await transport.consume(queue, recorder.handler(), { concurrency: 5 });
      await recorder.waitFor(5, h.deliveryTimeoutMs);
      for (const d of recorder.deliveries) {
        const index = d.message.attributes["conf-index"];
        expect(new TextDecoder().decode(d.message.body)).toBe(`batch-${index}`);
      }
      expect(new Set(recorder.texts()).size).toBe(5);
    },
    h.testTimeout(),
  );

  it(
    "delivers in publish order (ordering) or at least delivers everything (no ordering)",
    async () => {
      const transport = await h.create();
      const queue = await h.queue(transport);
      const expected = Array.from({ length: 20 }, (_, i) => `o-${i}`);
      for (const body of expected) await transport.publish(queue, { body: utf8(body) });
      const recorder = new Recorder();
      await transport.consume(queue, recorder.handler(), { concurrency: 1 });
      await recorder.waitFor(20, h.deliveryTimeoutMs);
      if (transport.capabilities.ordering) expect(recorder.texts()).toEqual(expected);
      else expect([...recorder.texts()].sort()).toEqual([...expected].sort());
    },
    h.testTimeout(),
  );

  it(
    "moves 10,000 messages through without loss (publishAll, concurrency 32)",
    async () => {
      const producer = await h.create();
      const consumer = await h.create();
      const queue = await h.queue(producer);
      const total = 10_000;
      const seen = new Set<string>();
      await consumer.consume(
        queue,
        (message) => {
          seen.add(new TextDecoder().decode(message.body));
          return { kind: "ack" };
        },
        { concurrency: 32 },
      );
      const messages = Array.from({ length: total }, (_, i) => ({ body: utf8(`bulk-${i}`) }));
      // Budgets leave room for a diagnostic before vitest's own timeout.
      const started = performance.now();
      await within(
        publishAll(producer, queue, messages, { concurrency: 32 }),
        h.ms(60_000),
        () => `publishAll of ${total} messages (received so far: ${seen.size})`,
      );
      const publishedMs = performance.now() - started;
      await eventually(
        () => seen.size === total,
        h.ms(90_000),
        () =>
          `received ${seen.size} of ${total} (published all in ${Math.round(publishedMs)} ms, ` +
          `${Math.round(performance.now() - started)} ms since start)`,
      );
      const missing = messages.map((m) => new TextDecoder().decode(m.body)).filter((body) => !seen.has(body));
      expect(missing).toEqual([]);
    },
    h.testTimeout(160_000),
  );
}
