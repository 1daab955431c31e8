import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createJsonlFileStore,
  createMemoryStore,
  createSinkActor,
  createSumpActor,
  findInJsonl,
  replayEnvelope,
} from "@asya/runtime";
import { describe, expect, it } from "vitest";
import { quietLogger, setup } from "./helpers.js";

describe("crew", () => {
  it("x-sink stores every result and forwards failed ones to x-sump, which counts and persists them", async () => {
    const t = setup();
    const dir = await mkdtemp(join(tmpdir(), "asya-crew-"));
    const results = createMemoryStore();
    const sumpFile = join(dir, "sump.jsonl");
    const sink = createSinkActor({ transport: t.transport, store: results, logger: quietLogger });
    const sump = createSumpActor({
      transport: t.transport,
      store: createJsonlFileStore(sumpFile),
      logger: quietLogger,
    });
    await sink.start();
    await sump.start();
    await t.actor({ name: "ok", handler: (p: unknown) => p });
    await t.actor({
      name: "boom",
      handler: () => {
        throw new RangeError("bad input");
      },
    });
    await t.send({ id: "good", route: ["ok"], payload: { a: 1 } });
    await t.send({ id: "bad", route: ["boom"], payload: { b: 2 } });
    await t.spy.waitFor("bad", { to: "x-sump" });
    const deadline = Date.now() + 2_000;
    while ((results.envelopes.length < 2 || sump.counts().RuntimeError !== 1) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(results.envelopes.map((e) => [e.id, e.status?.phase]).sort()).toEqual([
      ["bad", "failed"],
      ["good", "succeeded"],
    ]);
    expect(sump.counts()).toEqual({ RuntimeError: 1 });
    expect(t.spy.history("good").some((r) => r.to === "x-sump")).toBe(false);
    const stored = await findInJsonl(sumpFile, "bad");
    expect(stored?.status).toMatchObject({ reason: "RuntimeError", error: { type: "RangeError" } });

    // Replay re-injects to the failed actor with the attempt reset.
    const replayed = await replayEnvelope(stored!, { transport: t.transport, to: "ok" });
    expect(replayed.status).toMatchObject({ phase: "pending", actor: "ok", attempt: 1 });
    expect(replayed.status?.error).toBeUndefined();
    await t.spy.waitFor("bad", { to: "x-sink", phase: "succeeded" });
    await sink.stop();
    await sump.stop();

    // The JSONL file store keeps one envelope per line (what `asya sink tail` reads).
    const sinkFile = join(dir, "results.jsonl");
    const store = createJsonlFileStore(sinkFile);
    for (const envelope of results.envelopes) await store.write(envelope);
    const lines = (await readFile(sinkFile, "utf8")).trim().split("\n");
    expect(lines.map((line) => (JSON.parse(line) as { id: string }).id)).toEqual(
      results.envelopes.map((e) => e.id),
    );
  });

  it("x-sink keeps garbage on its queue instead of dropping it", async () => {
    const t = setup();
    const results = createMemoryStore();
    const sink = createSinkActor({ transport: t.transport, store: results, logger: quietLogger });
    await sink.start();
    await t.transport.publish("asya-x-sink", { body: new TextEncoder().encode("garbage") });
    const deadline = Date.now() + 2_000;
    while (results.envelopes.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(results.envelopes[0]?.payload).toMatchObject({ encoding: "utf8", body: "garbage" });
    expect(results.envelopes[0]?.status).toMatchObject({ phase: "failed", reason: "ParseError" });
    await sink.stop();
  });
});

describe("crew options", () => {
  it("are validated, naming the option", async () => {
    const { createMemoryTransport } = await import("@asya/transport");
    const transport = createMemoryTransport();
    expect(() => createSinkActor({ transport, store: {} as never })).toThrow(/store/);
    expect(() => createSumpActor({ transport, store: createMemoryStore(), concurrency: 0 })).toThrow(
      /concurrency/,
    );
    expect(() => createSinkActor({ transport: {} as never })).toThrow(/transport/);
    await transport.close();
  });
});

describe("x-sump alerting hook", () => {
  it("calls onFailure after each failure is stored", async () => {
    const t = setup();
    const store = createMemoryStore();
    const alerts: string[] = [];
    const sump = createSumpActor({
      transport: t.transport,
      store,
      logger: quietLogger,
      onFailure: (envelope) =>
        alerts.push(`${envelope.id}:${envelope.status?.reason}:${store.envelopes.length}`),
    });
    await sump.start();
    // x-sump accepts any route: send to its queue directly.
    const { encodeEnvelope, createEnvelope } = await import("@asya/envelope");
    await t.transport.publish("asya-x-sump", {
      body: encodeEnvelope(
        createEnvelope({
          id: "alert-2",
          route: { prev: ["b"], curr: "b", next: [] },
          payload: {},
          status: { phase: "failed", reason: "PolicyExhausted" },
        }),
      ),
    });
    const deadline = Date.now() + 2_000;
    while (alerts.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(alerts).toEqual(["alert-2:PolicyExhausted:1"]);
    expect(sump.counts()).toEqual({ PolicyExhausted: 1 });
    await sump.stop();
  });
});
