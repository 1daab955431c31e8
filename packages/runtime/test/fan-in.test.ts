import { createEnvelope, encodeEnvelope, HEADER_FAN_IN, HEADER_ORIGIN_ID, queueName } from "@asya/envelope";
import { createMemoryStateStore, type StateStore } from "@asya/state";
import { createMemoryTransport } from "@asya/transport";
import { afterEach, describe, expect, it } from "vitest";
import { createFanInActor, fanOutJoin } from "../src/crew/index.js";
import {
  createActor,
  createMemoryStore,
  createSinkActor,
  type HandlerContext,
  silentLogger,
} from "../src/index.js";
import { createEnvelopeSpy } from "../src/testing/index.js";
import { until } from "./helpers.js";

// Fan-out and join (GATEWAY.md section 6) on the memory transport: fanOutJoin frames, the
// aggregator's merge, duplicates, a crash after the decision, bad frames and expiry.

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function pipeline(
  store: StateStore = createMemoryStateStore(),
  aggregator: Partial<Parameters<typeof createFanInActor>[0]> = {},
) {
  const transport = createMemoryTransport();
  const spy = createEnvelopeSpy(transport);
  const results = createMemoryStore();
  const actors = [
    createActor({
      name: "split",
      transport,
      logger: silentLogger,
      async *handler(p: { text: string }, ctx: HandlerContext) {
        yield* fanOutJoin(ctx, p.text.split(" "), { via: ["upper"], aggregator: "join", into: "/words" });
      },
    }),
    createActor({ name: "upper", transport, logger: silentLogger, handler: (w: string) => w.toUpperCase() }),
    createActor({
      name: "count",
      transport,
      logger: silentLogger,
      handler: (p: { text: string; words: string[] }) => ({ ...p, n: p.words.length }),
    }),
    createFanInActor({
      name: "join",
      transport,
      logger: silentLogger,
      store,
      sweepIntervalMs: 50,
      ...aggregator,
    }),
    createSinkActor({ transport, logger: silentLogger, store: results }),
  ];
  for (const actor of actors) await actor.start();
  stops.push(async () => {
    for (const actor of actors) await actor.stop();
    await transport.close();
  });
  return { transport, spy, results, store };
}

const send = (
  transport: ReturnType<typeof createMemoryTransport>,
  id: string,
  text: string,
  route = ["split", "count"],
) =>
  transport.publish(queueName(route[0] as string), {
    body: encodeEnvelope(createEnvelope({ id, route, payload: { text } })),
  });

describe("fan-in (fanOutJoin + the aggregator)", () => {
  it("splits, processes the slices in parallel and joins them in numeric order into the parent, which goes on", async () => {
    const { transport, spy, results } = await pipeline();
    const words = Array.from({ length: 12 }, (_, i) => `w${i}`);
    await send(transport, "doc-1", words.join(" "));
    const done = await spy.waitFor("doc-1", { to: "x-sink" }, { timeoutMs: 5_000 });
    expect(done.envelope?.payload).toEqual({
      text: words.join(" "),
      words: words.map((w) => w.toUpperCase()),
      n: 12,
    });
    expect(done.envelope?.headers?.[HEADER_FAN_IN]).toBeUndefined();
    expect(done.envelope?.headers?.[HEADER_ORIGIN_ID]).toBe("doc-1@0");
    expect(done.envelope?.route.prev).toEqual(["split", "join", "count"]);
    // Only the merged parent is a result: the 12 partials were never sent on past the aggregator.
    expect(results.envelopes.map((e) => e.id)).toEqual(["doc-1"]);
  });

  it("an aggregator that ends the route finishes the task: succeeded, Completed", async () => {
    const { transport, spy } = await pipeline();
    await send(transport, "doc-end", "a b", ["split"]);
    const done = await spy.waitFor("doc-end", { to: "x-sink" }, { timeoutMs: 5_000 });
    expect(done.envelope?.payload).toEqual({ text: "a b", words: ["A", "B"] });
    expect(done.envelope?.status).toMatchObject({ phase: "succeeded", reason: "Completed", actor: "join" });
  });

  it('frames written by hand (SET .headers["x-asya-fan-in"] before each yield) join the same way', async () => {
    const { transport, spy, results } = await pipeline();
    const hand = createActor({
      name: "by-hand",
      transport,
      logger: silentLogger,
      async *handler(p: { words: string[] }) {
        const frame = (i: number) => ({
          actor: "join",
          origin_id: "hand-2@0",
          slice_index: i,
          slice_count: p.words.length + 1,
          aggregation_key: "/words",
        });
        const next = (yield ["GET", ".route.next"]) as string[];
        yield ["SET", '.headers["x-asya-fan-in"]', frame(0)];
        yield ["SET", ".route.next", ["join", ...next]];
        yield { text: "by hand" };
        for (const [i, word] of p.words.entries()) {
          yield ["SET", '.headers["x-asya-fan-in"]', frame(i + 1)];
          yield ["SET", ".route.next", ["upper", "join", ...next]];
          yield word;
        }
      },
    });
    await hand.start();
    stops.push(() => hand.stop());
    await transport.publish(queueName("by-hand"), {
      body: encodeEnvelope(
        createEnvelope({ id: "hand-2", route: ["by-hand", "count"], payload: { words: ["x", "y"] } }),
      ),
    });
    const done = await spy.waitFor("hand-2", { to: "x-sink" }, { timeoutMs: 5_000 });
    expect(done.envelope?.payload).toEqual({ text: "by hand", words: ["X", "Y"], n: 2 });
    expect(results.envelopes.map((e) => e.id)).toContain("hand-2");
  });

  it("drops a duplicate slice before the merge and a redelivered one after it", async () => {
    const { transport, spy, store } = await pipeline();
    await send(transport, "doc-2", "a b");
    await spy.waitFor("doc-2", { to: "x-sink" }, { timeoutMs: 5_000 });
    // A late copy of slice 1 (as a broker redelivery would bring it): the merge is not started again.
    const late = spy.records().find((r) => r.to === "join" && r.envelope?.id === "doc-2-1")?.envelope;
    expect(late).toBeDefined();
    await transport.publish(queueName("join"), { body: encodeEnvelope(late as never) });
    await new Promise<void>((resolve) => {
      const check = async () => {
        if (
          (await store.listByPrefix("fanin/slice/")).length === 0 &&
          spy.records().filter((r) => r.to === "join").length >= 4
        )
          resolve();
        else setTimeout(check, 10);
      };
      void check();
    });
    expect(spy.history("doc-2").filter((r) => r.to === "count")).toHaveLength(1);
    expect(await store.get("fanin/done/doc-2@0")).toMatchObject({ state: "done" });
  });

  it("a crash after the merge decision re-emits the same envelope (same id and content) on redelivery", async () => {
    const inner = createMemoryStateStore();
    let failOnce = true;
    // The process "dies" right after publishing the merge: marking it done fails once.
    const store: StateStore = {
      ...inner,
      kind: inner.kind,
      async put(key, value, options) {
        if (failOnce && key.startsWith("fanin/done/") && (value as { state?: string }).state === "done") {
          failOnce = false;
          throw new Error("crashed");
        }
        return inner.put(key, value, options);
      },
    };
    const { transport, spy } = await pipeline(store);
    await send(transport, "doc-3", "x y z");
    await until(() => spy.history("doc-3").filter((r) => r.to === "count").length === 2, 10_000, 10);
    const emitted = spy.history("doc-3").filter((r) => r.to === "count");
    expect(emitted).toHaveLength(2);
    expect(emitted[1]?.envelope).toEqual(emitted[0]?.envelope);
  });

  it("bad frames end failed at x-sink with a clear error: no origin_id, slice_count 0 or huge, a malformed pointer", async () => {
    const { transport, spy } = await pipeline();
    const bad = {
      "no-origin": { actor: "join", slice_index: 0, slice_count: 2, aggregation_key: "/r" },
      "zero-count": { actor: "join", origin_id: "o", slice_index: 0, slice_count: 0, aggregation_key: "/r" },
      "huge-count": {
        actor: "join",
        origin_id: "o",
        slice_index: 0,
        slice_count: 10_000_000,
        aggregation_key: "/r",
      },
      "bad-pointer": {
        actor: "join",
        origin_id: "o",
        slice_index: 0,
        slice_count: 2,
        aggregation_key: "r~2",
      },
    };
    for (const [id, header] of Object.entries(bad)) {
      const envelope = createEnvelope({
        id,
        route: ["join"],
        headers: { [HEADER_FAN_IN]: header },
        payload: 1,
      });
      await transport.publish(queueName("join"), { body: encodeEnvelope(envelope) });
    }
    const messages: Record<string, string> = {};
    for (const id of Object.keys(bad)) {
      const record = await spy.waitFor(id, { to: "x-sink", phase: "failed" });
      expect(record.envelope?.status?.error?.type).toBe("FanInError");
      messages[id] = record.envelope?.status?.error?.message ?? "";
    }
    expect(messages["no-origin"]).toMatch(/origin_id/);
    expect(messages["zero-count"]).toMatch(/slice_count/);
    expect(messages["huge-count"]).toMatch(/slice_count/);
    expect(messages["bad-pointer"]).toMatch(/aggregation_key/);
  });

  it("an aggregation still incomplete after its timeout ends failed at x-sink, and its state is removed", async () => {
    const { transport, spy, store } = await pipeline(createMemoryStateStore(), { incompleteTimeoutMs: 100 });
    // Slice 2 of 3 never comes: only the parent and slice 1.
    for (const index of [0, 1]) {
      const envelope = createEnvelope({
        id: index === 0 ? "doc-4" : "doc-4-1",
        route: ["join", "count"],
        headers: {
          [HEADER_FAN_IN]: {
            actor: "join",
            origin_id: "doc-4@0",
            slice_index: index,
            slice_count: 3,
            aggregation_key: "/r",
          },
        },
        payload: { text: "t" },
      });
      await transport.publish(queueName("join"), { body: encodeEnvelope(envelope) });
    }
    const record = await spy.waitFor("doc-4", { to: "x-sink", phase: "failed" }, { timeoutMs: 5_000 });
    expect(record.envelope?.status?.error).toMatchObject({
      type: "FanInIncomplete",
      message: expect.stringMatching(/2 of 3 slices/),
    });
    expect(record.envelope?.headers?.[HEADER_FAN_IN]).toBeUndefined();
    await until(async () => (await store.listByPrefix("fanin/")).length === 1, 10_000, 10); // only the marker
    expect(await store.listByPrefix("fanin/")).toEqual(["fanin/done/doc-4@0"]);
  });
});
