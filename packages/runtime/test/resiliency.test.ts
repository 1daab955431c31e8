import { createTestClock } from "@asya/runtime/testing";
import { describe, expect, it } from "vitest";
import { NOT_BEFORE_ATTRIBUTE } from "../src/internal/delayed-publish.js";
import { setup } from "./helpers.js";

class FlakyError extends Error {
  override name = "FlakyError";
}

describe("resiliency", () => {
  it("retries with attempt + 1, phase retrying, error set and the backoff delay", async () => {
    const t = setup();
    const attempts: number[] = [];
    await t.actor({
      name: "flaky",
      resiliency: { policies: { default: { maxAttempts: 3, backoff: "constant", initialDelay: "20ms" } } },
      handler: (_p: unknown, ctx) => {
        attempts.push(ctx.attempt);
        if (ctx.attempt < 3) throw new FlakyError("try again");
        return { ok: true };
      },
    });
    await t.send({ id: "r1", route: ["flaky"], payload: {} });
    await t.spy.waitFor("r1", { to: "x-sink", phase: "succeeded" });
    expect(attempts).toEqual([1, 2, 3]);
    const retries = t.spy.history("r1").filter((r) => r.envelope?.status?.phase === "retrying");
    expect(retries.map((r) => [r.to, r.delayMs, r.envelope?.status?.attempt])).toEqual([
      ["flaky", 20, 2],
      ["flaky", 20, 3],
    ]);
    expect(retries[0]?.envelope?.status).toMatchObject({ max_attempts: 3, error: { type: "FlakyError" } });
    const firstAttempts = new Set(retries.map((r) => r.envelope?.headers?.["x-asya-first-attempt"]));
    expect(firstAttempts.size).toBe(1);
  });

  it("exhausted attempts end at x-sink failed PolicyExhausted with the last error, payload unchanged", async () => {
    const t = setup();
    await t.actor({
      name: "always",
      resiliency: { policies: { default: { maxAttempts: 2, initialDelay: 1 } } },
      handler: () => {
        throw new FlakyError("nope");
      },
    });
    await t.send({ id: "x1", route: ["always", "next"], payload: { p: 1 } });
    const done = await t.spy.waitFor("x1", { to: "x-sink" });
    expect(done.envelope).toMatchObject({
      payload: { p: 1 },
      route: { curr: "always", next: ["next"] },
      status: {
        phase: "failed",
        reason: "PolicyExhausted",
        attempt: 2,
        error: { type: "FlakyError", message: "nope" },
      },
    });
  });

  it("onExhausted (thenRoute) routes to the fallback actor, advanced, reason PolicyRouted, the error in x-asya-routed-error", async () => {
    const t = setup();
    await t.actor({
      name: "primary",
      resiliency: {
        policies: { fallback: { maxAttempts: 1, thenRoute: ["rescue"] } },
        rules: [{ errors: ["FlakyError"], policy: "fallback" }],
      },
      handler: () => {
        throw new FlakyError("down");
      },
    });
    await t.actor({
      name: "rescue",
      // On receipt the previous hop's reason and error are cleared (SPEC 1): they travel on the
      // wire (asserted below), but this hop's status describes this hop.
      handler: (p: unknown, ctx) => ({
        rescued: p,
        seen: ctx.envelope.status,
        cause: ctx.envelope.headers?.["x-asya-routed-error"],
      }),
    });
    await t.send({ id: "ox", route: ["primary", "after"], payload: { v: 1 } });
    const routed = await t.spy.waitFor("ox", { to: "rescue" });
    expect(routed.envelope).toMatchObject({
      route: { prev: ["primary"], curr: "rescue", next: [] },
      status: { phase: "failed", reason: "PolicyRouted", error: { type: "FlakyError" } },
      payload: { v: 1 },
    });
    const done = await t.spy.waitFor("ox", { to: "x-sink" });
    expect(done.envelope).toMatchObject({
      payload: {
        rescued: { v: 1 },
        seen: { phase: "processing", actor: "rescue", attempt: 1 },
        // ...and the fallback still learns what failed: x-asya-routed-error keeps the error.
        cause: { type: "FlakyError", message: "down" },
      },
      status: { phase: "succeeded" },
    });
    const seen = (done.envelope?.payload as { seen?: Record<string, unknown> } | undefined)?.seen;
    expect(seen).not.toHaveProperty("error");
    expect(seen).not.toHaveProperty("reason");
  });

  it("no matching rule and no default policy fails at once (RuntimeError)", async () => {
    const t = setup();
    let calls = 0;
    await t.actor({
      name: "strict",
      resiliency: { policies: { p: { maxAttempts: 5 } }, rules: [{ errors: ["OtherError"], policy: "p" }] },
      handler: () => {
        calls += 1;
        throw new TypeError("bug");
      },
    });
    await t.send({ id: "s1", route: ["strict"], payload: {} });
    const done = await t.spy.waitFor("s1", { to: "x-sink" });
    expect(done.envelope?.status).toMatchObject({
      phase: "failed",
      reason: "RuntimeError",
      error: { type: "TypeError" },
    });
    expect(calls).toBe(1);
  });

  it("maxDuration, measured from x-asya-first-attempt, stops retries early", async () => {
    const t = setup();
    let calls = 0;
    await t.actor({
      name: "budget",
      resiliency: {
        policies: {
          default: { maxAttempts: 100, backoff: "constant", initialDelay: 30, maxDuration: "100ms" },
        },
      },
      handler: () => {
        calls += 1;
        throw new FlakyError("slow");
      },
    });
    const started = Date.now();
    await t.send({ id: "b1", route: ["budget"], payload: {} });
    const done = await t.spy.waitFor("b1", { to: "x-sink" }, { timeoutMs: 3_000 });
    expect(done.envelope?.status?.reason).toBe("PolicyExhausted");
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(5);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("an expired SLA deadline ends failed Timeout without calling the handler", async () => {
    const t = setup();
    let calls = 0;
    await t.actor({ name: "sla", handler: () => calls++ });
    const soon = new Date(Date.now() + 500).toISOString();
    await t.send({ id: "d1", route: ["sla"], payload: {}, status: { phase: "pending", deadline_at: soon } });
    const done = await t.spy.waitFor("d1", { to: "x-sink" });
    expect(done.envelope?.status).toMatchObject({ phase: "failed", reason: "Timeout", deadline_at: soon });
    expect(calls).toBe(0);
  });

  it("actorTimeout aborts ctx.signal and fails with TimeoutError (then policies apply)", async () => {
    const t = setup();
    let aborted: unknown;
    await t.actor({
      name: "slow",
      resiliency: {
        actorTimeout: "50ms",
        policies: { p: { maxAttempts: 1 } },
        rules: [{ errors: ["TimeoutError"], policy: "p" }],
      },
      handler: (_p: unknown, ctx) =>
        new Promise((resolve) => {
          ctx.signal.addEventListener("abort", () => {
            aborted = ctx.signal.reason;
            resolve("late");
          });
        }),
    });
    await t.send({ id: "to1", route: ["slow"], payload: {} });
    const done = await t.spy.waitFor("to1", { to: "x-sink" });
    expect((aborted as Error).name).toBe("TimeoutError");
    expect(done.envelope?.status).toMatchObject({
      reason: "PolicyExhausted",
      error: { type: "TimeoutError" },
    });
  });

  it("the SLA deadline shortens the effective time limit", async () => {
    const t = setup();
    await t.actor({
      name: "sla-slow",
      handler: (_p: unknown, ctx) => new Promise((r) => ctx.signal.addEventListener("abort", r)),
    });
    const deadline = new Date(Date.now() + 1_200).toISOString();
    const started = Date.now();
    await t.send({
      id: "d2",
      route: ["sla-slow"],
      payload: {},
      status: { phase: "pending", deadline_at: deadline },
    });
    const done = await t.spy.waitFor("d2", { to: "x-sink" }, { timeoutMs: 3_000 });
    expect(done.envelope?.status?.error?.type).toBe("TimeoutError");
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it("delays longer than the transport's maxDelayMs hop with a not-before, without calling the handler", async () => {
    const t = setup({ maxDelayMs: 40 });
    const calls: number[] = [];
    await t.actor({
      name: "long",
      resiliency: { policies: { default: { maxAttempts: 2, backoff: "constant", initialDelay: "150ms" } } },
      handler: () => {
        calls.push(Date.now());
        if (calls.length === 1) throw new FlakyError("later");
        return "ok";
      },
    });
    await t.send({ id: "L1", route: ["long"], payload: {} });
    await t.spy.waitFor("L1", { to: "x-sink", phase: "succeeded" }, { timeoutMs: 3_000 });
    expect(calls).toHaveLength(2);
    expect((calls[1] ?? 0) - (calls[0] ?? 0)).toBeGreaterThanOrEqual(140);
    const hops = t.spy
      .history("L1")
      .filter((r) => r.to === "long" && r.envelope?.status?.phase === "retrying");
    expect(hops.length).toBeGreaterThanOrEqual(3);
    expect(hops.every((r) => r.delayMs <= 40)).toBe(true);
    expect(hops[0]?.attributes[NOT_BEFORE_ATTRIBUTE]).toBeDefined();
  });

  it("on a transport that cannot delay (maxDelayMs 0) waits in process on the actor's clock", async () => {
    const clock = createTestClock(Date.parse("2026-01-01T00:00:00Z"));
    const t = setup({ maxDelayMs: 0, clock });
    const calls: number[] = [];
    await t.actor({
      name: "nodelay",
      clock,
      resiliency: { policies: { default: { maxAttempts: 2, backoff: "constant", initialDelay: "10m" } } },
      handler: () => {
        calls.push(clock.now());
        if (calls.length === 1) throw new FlakyError("later");
        return "ok";
      },
    });
    await t.send({ id: "Z1", route: ["nodelay"], payload: {} });
    await clock.runAll();
    await t.spy.waitFor("Z1", { to: "x-sink", phase: "succeeded" });
    expect(calls).toHaveLength(2);
    expect((calls[1] ?? 0) - (calls[0] ?? 0)).toBe(600_000);
    const retry = t.spy
      .history("Z1")
      .filter((r) => r.to === "nodelay" && r.envelope?.status?.phase === "retrying");
    // Published once, after the wait, with no delay and no not-before (the transport refuses delays).
    expect(retry.map((r) => [r.delayMs, r.attributes[NOT_BEFORE_ATTRIBUTE]])).toEqual([[0, undefined]]);
  });

  it("an in-process wait ends on stop: the message goes back, nothing is published", async () => {
    const t = setup({ maxDelayMs: 0 });
    let calls = 0;
    const actor = await t.actor({
      name: "held",
      resiliency: { policies: { default: { maxAttempts: 2, backoff: "constant", initialDelay: "1h" } } },
      handler: () => {
        calls += 1;
        throw new FlakyError("later");
      },
    });
    await t.send({ id: "H1", route: ["held"], payload: {} });
    await t.spy.waitFor("H1", { to: "held" });
    while (calls === 0) await new Promise((resolve) => setImmediate(resolve));
    await actor.stop({ graceMs: 1_000 });
    expect(t.spy.history("H1").filter((r) => r.to === "held")).toHaveLength(1);
    expect(await t.transport.depth("asya-held")).toBe(1);
  });
});
