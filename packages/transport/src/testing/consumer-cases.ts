import { expect, it } from "vitest";
import { eventually, type Harness, Recorder, sleep, text, untilAborted, utf8, within } from "./harness.js";

/** Competing consumers, concurrency, stop/drain, dead consumers, keep-alive. */
export function consumerCases(h: Harness): void {
  it(
    "shares work between competing consumers, one consumer per message at a time",
    async () => {
      const a = await h.create();
      const b = await h.create();
      const queue = await h.queue(a);
      const total = 40;
      const inProgress = new Set<string>();
      const overlaps: string[] = [];
      const recorder = new Recorder();
      const decide = async (d: { message: { body: Uint8Array } }) => {
        const key = text(d.message.body);
        if (inProgress.has(key)) overlaps.push(key);
        inProgress.add(key);
        await sleep(h.ms(20));
        inProgress.delete(key);
        return { kind: "ack" } as const;
      };
      await a.consume(queue, recorder.handler("a", decide), { concurrency: 2 });
      await b.consume(queue, recorder.handler("b", decide), { concurrency: 2 });
      for (let i = 0; i < total; i++) await a.publish(queue, { body: utf8(`m-${i}`) });
      await recorder.waitFor(total, h.deliveryTimeoutMs * 2);
      expect(overlaps).toEqual([]);
      expect(new Set(recorder.texts()).size).toBe(total);
      const byConsumer = (c: string) => recorder.deliveries.filter((d) => d.consumer === c).length;
      expect(byConsumer("a")).toBeGreaterThan(0);
      expect(byConsumer("b")).toBeGreaterThan(0);
      await sleep(h.shortWindowMs);
      expect(recorder.deliveries).toHaveLength(total);
    },
    h.testTimeout(30_000),
  );

  it(
    "respects the concurrency limit and uses it",
    async () => {
      const transport = await h.create();
      const queue = await h.queue(transport);
      for (let i = 0; i < 12; i++) await transport.publish(queue, { body: utf8(`c-${i}`) });
      let inFlight = 0;
      let maxInFlight = 0;
      const recorder = new Recorder();
      await transport.consume(
        queue,
        recorder.handler("c1", async () => {
          maxInFlight = Math.max(maxInFlight, ++inFlight);
          await sleep(h.ms(100));
          inFlight--;
          return { kind: "ack" };
        }),
        { concurrency: 3 },
      );
      await recorder.waitFor(12, h.deliveryTimeoutMs * 2);
      await eventually(
        () => inFlight === 0,
        h.deliveryTimeoutMs,
        () => `${inFlight} still in flight`,
      );
      expect(maxInFlight).toBeLessThanOrEqual(3);
      expect(maxInFlight).toBeGreaterThanOrEqual(2);
    },
    h.testTimeout(30_000),
  );

  it(
    "runs one handler at a time by default (concurrency 1)",
    async () => {
      const transport = await h.create();
      const queue = await h.queue(transport);
      for (let i = 0; i < 4; i++) await transport.publish(queue, { body: utf8(`d-${i}`) });
      let inFlight = 0;
      let maxInFlight = 0;
      const recorder = new Recorder();
      await transport.consume(
        queue,
        recorder.handler("c1", async () => {
          maxInFlight = Math.max(maxInFlight, ++inFlight);
          await sleep(h.ms(50));
          inFlight--;
          return { kind: "ack" };
        }),
      );
      await recorder.waitFor(4, h.deliveryTimeoutMs);
      expect(maxInFlight).toBe(1);
    },
    h.testTimeout(),
  );

  it(
    "stop() drains in-flight handlers, settles them, and stops delivery",
    async () => {
      const transport = await h.create();
      const queue = await h.queue(transport);
      const recorder = new Recorder();
      let finishedAt = Number.POSITIVE_INFINITY;
      // Long enough to stop mid-handler, short enough not to outlive a visibility timeout.
      const workMs = Math.min(h.ms(300), h.redeliveryTimeoutMs / 4);
      const subscription = await transport.consume(
        queue,
        recorder.handler("c1", async () => {
          await sleep(workMs);
          finishedAt = performance.now();
          return { kind: "ack" };
        }),
      );
      await transport.publish(queue, { body: utf8("in-flight") });
      const [first] = await recorder.waitFor(1, h.deliveryTimeoutMs);
      await subscription.stop();
      const stoppedAt = performance.now();
      expect(finishedAt).toBeLessThanOrEqual(stoppedAt);
      expect(first!.context.signal.aborted).toBe(false);
      await subscription.stop(); // idempotent

      await transport.publish(queue, { body: utf8("after-stop") });
      const other = await h.create();
      const late = new Recorder();
      await other.consume(queue, late.handler("c2"));
      await late.waitFor(1, h.deliveryTimeoutMs);
      await sleep(h.quietWindowMs);
      expect(late.texts()).toEqual(["after-stop"]); // "in-flight" was acked during the drain
      expect(recorder.texts()).toEqual(["in-flight"]);
    },
    h.testTimeout(),
  );

  it(
    "stops a subscription when its consume signal aborts",
    async () => {
      const transport = await h.create();
      const queue = await h.queue(transport);
      const controller = new AbortController();
      const recorder = new Recorder();
      await transport.consume(queue, recorder.handler("c1"), { signal: controller.signal });
      await transport.publish(queue, { body: utf8("before-abort") });
      await recorder.waitFor(1, h.deliveryTimeoutMs);
      controller.abort();
      await sleep(h.ms(200));
      await transport.publish(queue, { body: utf8("after-abort") });
      const other = new Recorder();
      await (await h.create()).consume(queue, other.handler("c2"));
      await other.waitFor(1, h.deliveryTimeoutMs + h.redeliveryTimeoutMs);
      expect(other.texts()).toEqual(["after-abort"]);
      expect(recorder.texts()).toEqual(["before-abort"]);
    },
    h.testTimeout(),
  );

  it(
    "redelivers a dead consumer's un-acked message to another consumer (close aborts the handler)",
    async () => {
      const dying = await h.create();
      const survivor = await h.create();
      const queue = await h.queue(dying);
      const hung = new Recorder();
      await dying.consume(
        queue,
        hung.handler("dying", async (d) => {
          await untilAborted(d.context.signal, h.ms(60_000));
          throw new Error("consumer died");
        }),
      );
      await dying.publish(queue, { body: utf8("orphan"), attributes: { "conf-orphan": "yes" } });
      const [first] = await hung.waitFor(1, h.deliveryTimeoutMs);
      const rescued = new Recorder();
      await survivor.consume(queue, rescued.handler("survivor"));
      await sleep(h.ms(100));
      expect(rescued.deliveries).toHaveLength(0); // invisible while the first consumer holds it
      const closedAt = performance.now();
      await within(
        dying.close(),
        h.ms(5000),
        "close() while a handler is in flight: close must abort the handler's signal, not wait for it",
      );
      await eventually(
        () => first!.context.signal.aborted,
        h.deliveryTimeoutMs,
        () => "the dying handler's signal was not aborted",
      );
      const [again] = await rescued.waitFor(1, h.redeliveryTimeoutMs + h.ms(2000));
      expect(again!.at - closedAt).toBeLessThanOrEqual(h.redeliveryTimeoutMs + h.ms(2000));
      expect(text(again!.message.body)).toBe("orphan");
      expect(again!.message.attributes).toMatchObject({ "conf-orphan": "yes" });
      if (again!.message.deliveryCount !== undefined)
        expect(again!.message.deliveryCount).toBeGreaterThanOrEqual(2);
    },
    h.testTimeout(),
  );

  it(
    "keeps a long-running delivery invisible (keepAlive) or lets it come back (no keepAlive)",
    async () => {
      const holder = await h.create();
      const other = await h.create();
      const queue = await h.queue(holder);
      const holdMs = h.redeliveryTimeoutMs * 1.5 + h.ms(200);
      const recorder = new Recorder();
      await holder.consume(
        queue,
        recorder.handler("holder", async () => {
          await sleep(holdMs);
          return { kind: "ack" };
        }),
        { maxProcessingMs: holdMs * 4 + h.ms(10_000) },
      );
      await holder.publish(queue, { body: utf8("long-job") });
      await recorder.waitFor(1, h.deliveryTimeoutMs);
      await other.consume(queue, recorder.handler("other"));
      if (holder.capabilities.keepAlive) {
        await sleep(holdMs + h.ms(300));
        expect(recorder.deliveries.map((d) => d.consumer)).toEqual(["holder"]);
        await sleep(h.quietWindowMs);
        expect(recorder.deliveries).toHaveLength(1);
      } else {
        // Documented fallback: without keep-alive the visibility lapses and another consumer gets it.
        await recorder.waitFor(2, holdMs + h.deliveryTimeoutMs);
        expect(recorder.deliveries.some((d) => d.consumer === "other")).toBe(true);
      }
    },
    h.testTimeout(30_000),
  );
}
