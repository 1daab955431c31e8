import { createEnvelope, encodeEnvelope } from "@asya/envelope";
import { createActor, createMemoryStore, createSinkActor } from "@asya/runtime";
import { createEnvelopeSpy } from "@asya/runtime/testing";
import { createMemoryTransport, type Transport } from "@asya/transport";
import { afterEach, describe, expect, it } from "vitest";
import { quietLogger, setup, until } from "./helpers.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const body = (id: string, route: string[], payload: unknown = {}) =>
  ({ body: encodeEnvelope(createEnvelope({ id, route, payload })) }) as const;

describe("ack after publish", () => {
  it("does not ack when publishing outputs fails; the broker redelivers and nothing is lost", async () => {
    const transport = createMemoryTransport();
    cleanups.push(() => transport.close());
    let failuresLeft = 2;
    const flaky: Transport = {
      ...transport,
      publish: async (queue, message, options) => {
        if (queue === "asya-next" && failuresLeft > 0) {
          failuresLeft -= 1;
          throw new Error("broker hiccup");
        }
        return transport.publish(queue, message, options);
      },
    };
    let calls = 0;
    const actor = createActor({ name: "pub", transport: flaky, logger: quietLogger, handler: () => ++calls });
    await actor.start();
    cleanups.push(() => actor.stop({ graceMs: 100 }));
    await transport.publish("asya-pub", body("ap1", ["pub", "next"]));
    await until(() => calls >= 1, 3_000);
    // While publishing fails, the input is still on its queue (unacked, then redelivered).
    expect(await transport.depth("asya-pub")).toBe(1);
    await until(() => failuresLeft === 0 && calls === 3, 3_000);
    const deadline = Date.now() + 2_000;
    while ((await transport.depth("asya-next")) < 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    // Exactly one output: the failed attempts published nothing.
    expect(await transport.depth("asya-next")).toBe(1);
    const left = Date.now() + 2_000;
    while ((await transport.depth("asya-pub")) > 0 && Date.now() < left)
      await new Promise((r) => setTimeout(r, 5));
    expect(await transport.depth("asya-pub")).toBe(0);
  });
});

describe("concurrency", () => {
  it("runs up to N handler calls at once", async () => {
    const t = setup();
    let inFlight = 0;
    let peak = 0;
    const release: Array<() => void> = [];
    await t.actor({
      name: "par",
      concurrency: 3,
      handler: async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise<void>((resolve) => release.push(resolve));
        inFlight -= 1;
        return "ok";
      },
    });
    for (let i = 0; i < 5; i += 1) await t.send({ id: `c${i}`, route: ["par"], payload: i });
    await until(() => release.length === 3, 3_000);
    expect(inFlight).toBe(3);
    while (release.length > 0) release.shift()?.();
    await until(() => release.length === 2, 3_000);
    for (const r of release.splice(0)) r();
    await Promise.all([0, 1, 2, 3, 4].map((i) => t.spy.waitFor(`c${i}`, { to: "x-sink" })));
    expect(peak).toBe(3);
  });
});

describe("many calls in flight", () => {
  it("runs 32 concurrent calls without Node's MaxListenersExceededWarning on the shutdown signal", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => void warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const t = setup();
      const release: Array<() => void> = [];
      await t.actor({
        name: "wide",
        concurrency: 32,
        handler: async () => {
          await new Promise<void>((resolve) => release.push(resolve));
          return "ok";
        },
      });
      for (let i = 0; i < 32; i += 1) await t.send({ id: `w${i}`, route: ["wide"], payload: i });
      await until(() => release.length === 32, 3_000);
      for (const r of release.splice(0)) r();
      await Promise.all(Array.from({ length: 32 }, (_, i) => t.spy.waitFor(`w${i}`, { to: "x-sink" })));
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
  });
});

describe("graceful stop", () => {
  it("finishes in-flight calls, publishes and acks them, then stops taking messages", async () => {
    const transport = createMemoryTransport();
    cleanups.push(() => transport.close());
    const spy = createEnvelopeSpy(transport);
    let finish: (() => void) | undefined;
    const actor = createActor({
      name: "drain",
      transport,
      logger: quietLogger,
      handler: () =>
        new Promise((resolve) => {
          finish = () => resolve({ done: true });
        }),
    });
    await actor.start();
    await transport.publish("asya-drain", body("g1", ["drain"]));
    await until(() => finish !== undefined, 3_000);
    const stopping = actor.stop({ graceMs: 2_000 });
    expect(actor.health().state).toBe("stopping");
    finish?.();
    await stopping;
    expect(actor.health().state).toBe("stopped");
    expect((await spy.waitFor("g1", { to: "x-sink" })).envelope?.payload).toEqual({ done: true });
    expect(await transport.depth("asya-drain")).toBe(0);
    await transport.publish("asya-drain", body("g2", ["drain"]));
    await new Promise((r) => setTimeout(r, 50));
    expect(await transport.depth("asya-drain")).toBe(1);
  });

  it("aborts calls still running after the grace period and leaves them for redelivery", async () => {
    const transport = createMemoryTransport();
    cleanups.push(() => transport.close());
    let signalReason: unknown;
    let started = false;
    const actor = createActor({
      name: "stuck",
      transport,
      logger: quietLogger,
      handler: (_p: unknown, ctx) =>
        new Promise(() => {
          started = true;
          ctx.signal.addEventListener("abort", () => {
            signalReason = ctx.signal.reason;
          });
        }),
    });
    await actor.start();
    await transport.publish("asya-stuck", body("s1", ["stuck"]));
    await until(() => started, 3_000);
    await actor.stop({ graceMs: 50 });
    expect((signalReason as Error).name).toBe("ShutdownError");
    expect(await transport.depth("asya-stuck")).toBe(1);
  });
});

describe("health endpoints", () => {
  it("serves /healthz, /readyz (started + transport ready) and /metrics", async () => {
    const transport = createMemoryTransport();
    cleanups.push(() => transport.close());
    const actor = createActor({
      name: "hp",
      transport,
      logger: quietLogger,
      handler: () => "ok",
      healthPort: 0,
    });
    const sink = createSinkActor({ transport, logger: quietLogger, store: createMemoryStore() });
    await sink.start();
    cleanups.push(() => sink.stop());
    expect(actor.health()).toMatchObject({ state: "idle", ready: false });
    await actor.start();
    const port = actor.health().healthPort;
    expect(port).toBeGreaterThan(0);
    const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`);
    expect((await get("/healthz")).status).toBe(200);
    expect((await get("/readyz")).status).toBe(200);
    await transport.publish("asya-hp", body("h1", ["hp"]));
    const spyDeadline = Date.now() + 2_000;
    let text = "";
    while (!text.includes('outcome="succeeded"') && Date.now() < spyDeadline) {
      text = await (await get("/metrics")).text();
    }
    expect(text).toContain('asya_messages_received_total{actor="hp"} 1');
    expect(text).toContain("asya_handler_duration_seconds_count");
    expect(text).toContain(`asya_queue_depth{actor="hp",queue="asya-hp"} 0`);
    await transport.close();
    expect((await get("/readyz")).status).toBe(503);
    await actor.stop({ graceMs: 100 });
  });
});
