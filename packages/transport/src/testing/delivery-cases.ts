import { expect, it } from "vitest";
import { DEAD_LETTER_REASON_ATTRIBUTE, deadLetterQueueName } from "../transport.js";
import { isTransportError } from "../transport-error.js";
import { type Harness, hex, Recorder, sleep, text, utf8 } from "./harness.js";

/** Round trip, ack, retry, delays, dead letters. */
export function deliveryCases(h: Harness): void {
  it(
    "round-trips binary (non-UTF-8) bodies and attributes byte for byte",
    async () => {
      const transport = await h.create();
      const queue = await h.queue(transport);
      const body = new Uint8Array([
        ...Array.from({ length: 256 }, (_, i) => i),
        0xc3,
        0x28,
        0xff,
        0xfe,
        0x00,
      ]);
      const attributes = { "conf-kind": "binary", "conf-text": 'héllo ✓ 日本 "quoted"' };
      const recorder = new Recorder();
      await transport.consume(queue, recorder.handler());
      await transport.publish(queue, { body, attributes });
      const [delivery] = await recorder.waitFor(1, h.deliveryTimeoutMs);
      const message = delivery!.message;
      expect(message.body).toBeInstanceOf(Uint8Array);
      expect(hex(message.body)).toBe(hex(body));
      expect(message.attributes).toMatchObject(attributes);
      expect(message.queue).toBe(queue);
      expect(typeof message.id).toBe("string");
      expect(message.id).not.toBe("");
      if (message.deliveryCount !== undefined) expect(message.deliveryCount).toBe(1);
    },
    h.testTimeout(),
  );

  it(
    "round-trips UTF-8 bodies and messages without attributes",
    async () => {
      const transport = await h.create();
      const queue = await h.queue(transport);
      const texts = ["Hello, wörld — 你好 🌍", JSON.stringify({ id: "e-1", payload: { emoji: "🚀", n: 1 } })];
      const recorder = new Recorder();
      await transport.consume(queue, recorder.handler());
      await transport.publish(queue, { body: utf8(texts[0]!) });
      await transport.publish(queue, { body: utf8(texts[1]!), attributes: {} });
      await recorder.waitFor(2, h.deliveryTimeoutMs);
      expect(recorder.texts().sort()).toEqual([...texts].sort());
      for (const d of recorder.deliveries) expect(typeof d.message.attributes).toBe("object");
      const ids = new Set(recorder.deliveries.map((d) => d.message.id));
      expect(ids.size).toBe(2);
    },
    h.testTimeout(),
  );

  it(
    "is not affected by the publisher mutating the body after publish",
    async () => {
      const transport = await h.create();
      const queue = await h.queue(transport);
      const body = utf8("original");
      await transport.publish(queue, { body });
      body.fill(0x21);
      const recorder = new Recorder();
      await transport.consume(queue, recorder.handler());
      await recorder.waitFor(1, h.deliveryTimeoutMs);
      expect(recorder.texts()).toEqual(["original"]);
    },
    h.testTimeout(),
  );

  it(
    "removes acked messages: nothing is redelivered",
    async () => {
      const transport = await h.create();
      const queue = await h.queue(transport);
      const recorder = new Recorder();
      await transport.consume(queue, recorder.handler());
      await transport.publish(queue, { body: utf8("ack-me") });
      await recorder.waitFor(1, h.deliveryTimeoutMs);
      await sleep(h.quietWindowMs);
      expect(recorder.texts()).toEqual(["ack-me"]);
      if (transport.depth !== undefined) expect(await transport.depth(queue)).toBe(0);
    },
    h.testTimeout(),
  );

  it(
    "redelivers on retry with the delivery count incremented",
    async () => {
      const transport = await h.create();
      const queue = await h.queue(transport);
      const recorder = new Recorder();
      await transport.consume(
        queue,
        recorder.handler("c1", (_, i) => (i === 0 ? { kind: "retry" } : { kind: "ack" })),
      );
      const attributes = { "conf-attempt": "kept" };
      await transport.publish(queue, { body: utf8("retry-me"), attributes });
      const [first, second] = await recorder.waitFor(2, h.deliveryTimeoutMs);
      expect(text(second!.message.body)).toBe("retry-me");
      expect(second!.message.attributes).toMatchObject(attributes);
      if (first!.message.deliveryCount === undefined) {
        expect(second!.message.deliveryCount).toBeUndefined();
      } else {
        expect(first!.message.deliveryCount).toBe(1);
        expect(second!.message.deliveryCount).toBe(2);
      }
      await sleep(h.shortWindowMs);
      expect(recorder.deliveries).toHaveLength(2);
    },
    h.testTimeout(),
  );

  it(
    "counts a throwing handler as retry and reports the error via onError",
    async () => {
      const transport = await h.create();
      const queue = await h.queue(transport);
      const recorder = new Recorder();
      const boom = new Error("conformance boom");
      const reported: { error: unknown; id: string | undefined }[] = [];
      await transport.consume(
        queue,
        recorder.handler("c1", (_, i) => {
          if (i === 0) throw boom;
          return { kind: "ack" };
        }),
        { onError: (error, message) => reported.push({ error, id: message?.id }) },
      );
      await transport.publish(queue, { body: utf8("throw-once") });
      const [first, second] = await recorder.waitFor(2, h.deliveryTimeoutMs);
      expect(text(second!.message.body)).toBe("throw-once");
      if (first!.message.deliveryCount !== undefined) expect(second!.message.deliveryCount).toBe(2);
      expect(reported.length).toBeGreaterThanOrEqual(1);
      expect(reported[0]!.error).toBe(boom);
      if (reported[0]!.id !== undefined) expect(reported[0]!.id).toBe(first!.message.id);
    },
    h.testTimeout(),
  );

  it(
    "honours retry delays up to maxDelayMs (redelivers at once when it is 0)",
    async () => {
      const transport = await h.create();
      const queue = await h.queue(transport);
      const delayMs = Math.min(1000, transport.capabilities.maxDelayMs);
      const recorder = new Recorder();
      let retriedAt = 0;
      await transport.consume(
        queue,
        recorder.handler("c1", (_, i) => {
          if (i > 0) return { kind: "ack" };
          retriedAt = performance.now();
          return { kind: "retry", delayMs: 1000 };
        }),
      );
      await transport.publish(queue, { body: utf8("retry-later") });
      const [, second] = await recorder.waitFor(2, h.deliveryTimeoutMs + 1000);
      expect(text(second!.message.body)).toBe("retry-later");
      const elapsed = second!.at - retriedAt;
      expect(elapsed).toBeGreaterThanOrEqual(delayMs - 100);
      expect(elapsed).toBeLessThanOrEqual(delayMs + h.ms(2000));
    },
    h.testTimeout(),
  );

  it(
    "honours publish delays up to maxDelayMs and rejects longer ones with INVALID_ARGUMENT",
    async () => {
      const transport = await h.create();
      const queue = await h.queue(transport);
      const { maxDelayMs } = transport.capabilities;
      const recorder = new Recorder();
      await transport.consume(queue, recorder.handler("c1"), { concurrency: 2 });
      if (maxDelayMs < Number.MAX_SAFE_INTEGER) {
        const refused = await transport
          .publish(queue, { body: utf8("too-late") }, { delayMs: maxDelayMs + 1 })
          .then(
            () => undefined,
            (error: unknown) => error,
          );
        expect(isTransportError(refused), String(refused)).toBe(true);
        expect(refused).toMatchObject({ code: "INVALID_ARGUMENT", retryable: false });
      }
      const delayMs = Math.min(1000, maxDelayMs);
      const publishedAt = performance.now();
      if (delayMs > 0) await transport.publish(queue, { body: utf8("late") }, { delayMs });
      await transport.publish(queue, { body: utf8("now") });
      if (delayMs === 0) {
        await recorder.waitFor(1, h.deliveryTimeoutMs);
        expect(recorder.texts()).toEqual(["now"]); // the refused publish, sent first, is not there
        return;
      }
      await recorder.waitFor(2, h.deliveryTimeoutMs + delayMs);
      expect(recorder.texts()).toEqual(["now", "late"]);
      const elapsed = recorder.deliveries[1]!.at - publishedAt;
      expect(elapsed).toBeGreaterThanOrEqual(delayMs - 100);
      expect(elapsed).toBeLessThanOrEqual(delayMs + h.ms(2000));
    },
    h.testTimeout(),
  );

  it(
    "dead-letters into <queue>-dlq with the reason and the body and attributes unchanged",
    async () => {
      const transport = await h.create();
      const queue = await h.queue(transport);
      const reason = "conformance: poison message";
      const body = new Uint8Array([0xff, 0x00, 0x7b, 0x22, 0xfe]);
      const attributes = { "conf-origin": "dead-letter-test" };
      const recorder = new Recorder();
      await transport.consume(
        queue,
        recorder.handler("c1", () => ({ kind: "deadLetter", reason })),
      );
      await transport.publish(queue, { body, attributes });
      await recorder.waitFor(1, h.deliveryTimeoutMs);
      if (transport.capabilities.deadLetter) {
        const dlq = new Recorder();
        await transport.consume(deadLetterQueueName(queue), dlq.handler("dlq"));
        const [dead] = await dlq.waitFor(1, h.deliveryTimeoutMs);
        expect(hex(dead!.message.body)).toBe(hex(body));
        expect(dead!.message.attributes).toMatchObject({
          ...attributes,
          [DEAD_LETTER_REASON_ATTRIBUTE]: reason,
        });
        expect(dead!.message.queue).toBe(deadLetterQueueName(queue));
      }
      // Either way the message has left the source queue.
      await sleep(h.quietWindowMs);
      expect(recorder.deliveries).toHaveLength(1);
    },
    h.testTimeout(),
  );
}
