import { createEnvelope, encodeEnvelope, queueName } from "@asya/envelope";
import { createMemoryStateStore } from "@asya/state";
import { createMemoryTransport } from "@asya/transport";
import { afterEach, describe, expect, it } from "vitest";
import { createActor, silentLogger } from "../src/index.js";
import { createEnvelopeSpy } from "../src/testing/index.js";
import { until } from "./helpers.js";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

describe("the de-duplication guard (createActor({ dedupe }))", () => {
  it("runs a side-effecting handler once per visit under concurrent copies and redelivery; a failed call is retried", async () => {
    const transport = createMemoryTransport();
    const spy = createEnvelopeSpy(transport);
    const store = createMemoryStateStore();
    const calls: string[] = [];
    let failFirst = true;
    const actor = createActor({
      name: "charge",
      transport,
      logger: silentLogger,
      concurrency: 8,
      dedupe: { store, ttlMs: 60_000 },
      resiliency: {
        policies: { again: { maxAttempts: 3, initialDelay: "10ms" } },
        rules: [{ errors: ["Error"], policy: "again" }],
      },
      async handler(p: { order: string }) {
        calls.push(p.order);
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (p.order === "o-2" && failFirst) {
          failFirst = false;
          throw new Error("card network down");
        }
        return { charged: p.order };
      },
    });
    await actor.start();
    stops.push(async () => {
      await actor.stop();
      await transport.close();
    });
    const body = (id: string) =>
      encodeEnvelope(createEnvelope({ id, route: ["charge"], payload: { order: id } }));
    // Five copies of o-1 at once (concurrent deliveries), then one more after it finished.
    await Promise.all(
      Array.from({ length: 5 }, () => transport.publish(queueName("charge"), { body: body("o-1") })),
    );
    await transport.publish(queueName("charge"), { body: body("o-2") });
    await until(
      () =>
        spy.history("o-1").some((r) => r.to === "x-sink") &&
        spy.history("o-2").some((r) => r.to === "x-sink" && r.envelope?.status?.phase === "succeeded"),
    );
    await transport.publish(queueName("charge"), { body: body("o-1") });
    await until(async () => (await transport.depth(queueName("charge"))) === 0);
    expect(calls.filter((c) => c === "o-1")).toEqual(["o-1"]);
    // o-2 failed once and its retry (a new attempt of the same visit) ran: two calls, one result.
    expect(calls.filter((c) => c === "o-2")).toEqual(["o-2", "o-2"]);
    expect(spy.history("o-1").filter((r) => r.to === "x-sink")).toHaveLength(1);
    expect(await store.get("dedupe/charge/o-1/0")).toMatchObject({ state: "done" });
  });
});
