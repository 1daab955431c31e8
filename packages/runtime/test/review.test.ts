import { randomBytes } from "node:crypto";
import { queueName } from "@asya/envelope";
import { createJsonLogger, RuntimeConfigError, resolveResiliency, toStatusError } from "@asya/runtime";
import {
  type Context,
  propagation,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { setup } from "./helpers.js";

// Regression tests for deviations found in the review of issue 4 against SPEC sections 2-6.

describe("error info (SPEC 1: mro without the class itself)", () => {
  it("a subclass of a built-in error without its own name reports its class as type", () => {
    class BadInput extends TypeError {}
    class WorseInput extends BadInput {}
    expect(toStatusError(new BadInput("x"))).toMatchObject({ type: "BadInput", mro: ["TypeError"] });
    expect(toStatusError(new WorseInput("x"))).toMatchObject({
      type: "WorseInput",
      mro: ["BadInput", "TypeError"],
    });
  });
});

describe("resiliency config", () => {
  it("rejects onExhausted/thenRoute entries that are not actor names", () => {
    expect(() => resolveResiliency({ policies: { default: { onExhausted: ["Not_An_Actor"] } } })).toThrow(
      RuntimeConfigError,
    );
    expect(() => resolveResiliency({ policies: { default: { thenRoute: ["ok", "BAD"] } } })).toThrow(
      /policies\.default\.thenRoute/,
    );
  });
});

describe("limits", () => {
  it("an actorTimeout beyond the timer range does not time out every call at once", async () => {
    const t = setup();
    await t.actor({
      name: "long-limit",
      resiliency: { actorTimeout: "700h" },
      handler: async (p: unknown) => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        return p;
      },
    });
    await t.send({ id: "ll-1", route: ["long-limit"], payload: { v: 1 } });
    const done = await t.spy.waitFor("ll-1", { to: "x-sink" });
    expect(done.envelope?.status).toMatchObject({ phase: "succeeded", reason: "Completed" });
  });

  it("an unserializable handler result is a handler error, not an endless redelivery", async () => {
    const t = setup();
    let calls = 0;
    await t.actor({
      name: "bigint",
      handler: () => {
        calls += 1;
        return { n: 1n };
      },
    });
    await t.send({ id: "bi-1", route: ["bigint", "after"], payload: { keep: true } });
    const done = await t.spy.waitFor("bi-1", { to: "x-sink" }, { timeoutMs: 3_000 });
    expect(done.envelope).toMatchObject({
      payload: { keep: true },
      status: { phase: "failed", reason: "RuntimeError", actor: "bigint" },
    });
    expect(calls).toBe(1);
  });
});

describe("logs never contain payloads", () => {
  it("an unparseable body is not echoed into the logs", async () => {
    const t = setup();
    const lines: string[] = [];
    const logger = createJsonLogger({ level: "debug", write: (line) => lines.push(line) });
    await t.actor({ name: "parse-log", logger, handler: (p: unknown) => p });
    await t.transport.publish(queueName("parse-log"), {
      body: new TextEncoder().encode("s3cr3t-body not json"),
    });
    await expect
      .poll(() =>
        t.spy.records().some((r) => r.to === "x-sink" && r.envelope?.status?.reason === "ParseError"),
      )
      .toBe(true);
    expect(lines.some((line) => line.includes("unparseable"))).toBe(true);
    expect(lines.join("\n")).not.toContain("s3cr3t");
  });
});

// A minimal W3C propagator and tracer (as in tracing.test.ts).
const w3c = {
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter) {
    const span = trace.getSpanContext(ctx);
    if (span) setter.set(carrier, "traceparent", `00-${span.traceId}-${span.spanId}-01`);
  },
  extract(ctx: Context, carrier: unknown, getter: TextMapGetter) {
    const value = getter.get(carrier, "traceparent");
    const parts = typeof value === "string" ? value.split("-") : [];
    if (parts.length !== 4) return ctx;
    return trace.setSpanContext(ctx, {
      traceId: parts[1] ?? "",
      spanId: parts[2] ?? "",
      traceFlags: 1,
      isRemote: true,
    });
  },
  fields: () => ["traceparent"],
};

describe("trace propagation on failure outputs (SPEC 6)", () => {
  afterEach(() => propagation.disable());

  it("retry copies, PolicyRouted and failed envelopes carry the handler span's context", async () => {
    propagation.setGlobalPropagator(w3c);
    const spans: string[] = [];
    const tracer = {
      startSpan(_name: string, _options: unknown, ctx: Context) {
        const parent = trace.getSpanContext(ctx);
        const own = {
          traceId: parent?.traceId ?? randomBytes(16).toString("hex"),
          spanId: randomBytes(8).toString("hex"),
          traceFlags: 1,
        };
        spans.push(own.spanId);
        return trace.wrapSpanContext(own);
      },
    } as unknown as Tracer;
    const t = setup();
    await t.actor({
      name: "tr-fail",
      tracer,
      resiliency: {
        policies: { default: { maxAttempts: 2, initialDelay: 1, onExhausted: ["tr-fallback"] } },
      },
      handler: () => {
        throw new Error("nope");
      },
    });
    await t.actor({
      name: "tr-fallback",
      tracer,
      handler: () => {
        throw new Error("also nope");
      },
    });
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    await t.send({
      id: "tf-1",
      route: ["tr-fail"],
      headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
      payload: {},
    });
    const done = await t.spy.waitFor("tf-1", { to: "x-sink" });
    const history = t.spy.history("tf-1");
    const retry = history.find((r) => r.envelope?.status?.phase === "retrying");
    const routed = history.find((r) => r.envelope?.status?.reason === "PolicyRouted");
    expect(spans).toHaveLength(3);
    expect(retry?.envelope?.headers?.traceparent).toBe(`00-${traceId}-${spans[0]}-01`);
    expect(routed?.envelope?.headers?.traceparent).toBe(`00-${traceId}-${spans[1]}-01`);
    expect(done.envelope?.status?.reason).toBe("RuntimeError");
    expect(done.envelope?.headers?.traceparent).toBe(`00-${traceId}-${spans[2]}-01`);
  });
});

describe("fan-out all or nothing", () => {
  it("a fan-out with one child over the transport's limit publishes no child, fails the input", async () => {
    const t = setup({ maxMessageBytes: 2_000 });
    await t.actor({
      name: "fan-big",
      *handler() {
        yield { small: true };
        yield { blob: "x".repeat(5_000) };
      },
    });
    await t.send({ id: "fb-1", route: ["fan-big", "after"], payload: { input: 1 } });
    const done = await t.spy.waitFor("fb-1", { to: "x-sink" });
    expect(done.envelope).toMatchObject({
      payload: { input: 1 },
      status: { phase: "failed", reason: "RuntimeError", error: { type: "TransportError" } },
    });
    expect(t.spy.records().filter((r) => r.to === "after")).toEqual([]);
  });
});

describe("history is forward-only (SPEC 2)", () => {
  it("assigning ctx.route.prev or ctx.route.curr fails the call instead of being ignored", async () => {
    const t = setup();
    await t.actor({
      name: "rewrite-curr",
      handler: (p: unknown, ctx) => {
        (ctx.route as { curr: string }).curr = "elsewhere";
        return p;
      },
    });
    await t.actor({
      name: "rewrite-prev",
      handler: (p: unknown, ctx) => {
        (ctx.route as { prev: string[] }).prev = [];
        return p;
      },
    });
    await t.send({ id: "rc-1", route: ["rewrite-curr"], payload: {} });
    await t.send({ id: "rp-1", route: ["rewrite-prev"], payload: {} });
    for (const id of ["rc-1", "rp-1"]) {
      const done = await t.spy.waitFor(id, { to: "x-sink" });
      expect(done.envelope?.status).toMatchObject({
        phase: "failed",
        reason: "RuntimeError",
        error: { type: "TypeError" },
      });
    }
  });
});

describe("status stamping across hops (SPEC 1)", () => {
  it("resets attempt and x-asya-first-attempt per actor, keeps created_at and deadline_at", async () => {
    const t = setup();
    const seen: Array<{ actor: string; attempt: number; first: unknown; phase: unknown }> = [];
    const record = (ctx: {
      actor: string;
      attempt: number;
      envelope: { headers?: Record<string, unknown>; status?: { phase?: unknown } };
    }) =>
      seen.push({
        actor: ctx.actor,
        attempt: ctx.attempt,
        first: ctx.envelope.headers?.["x-asya-first-attempt"],
        phase: ctx.envelope.status?.phase,
      });
    await t.actor({
      name: "hop-a",
      resiliency: { policies: { default: { maxAttempts: 2, initialDelay: 1 } } },
      handler: (p: unknown, ctx) => {
        record(ctx);
        if (ctx.attempt === 1) throw new Error("once");
        return p;
      },
    });
    await t.actor({
      name: "hop-b",
      handler: async (p: unknown, ctx) => {
        record(ctx);
        return p;
      },
    });
    const created = "2026-01-01T00:00:00.000Z";
    const deadline = new Date(Date.now() + 3_600_000).toISOString();
    const stale = "2000-01-01T00:00:00.000Z";
    await t.send({
      id: "hop-1",
      route: ["hop-a", "hop-b"],
      headers: { "x-asya-first-attempt": stale },
      status: {
        phase: "retrying",
        actor: "elsewhere",
        attempt: 4,
        created_at: created,
        deadline_at: deadline,
      },
      payload: {},
    });
    const done = await t.spy.waitFor("hop-1", { to: "x-sink" });
    expect(seen.map((s) => [s.actor, s.attempt, s.phase])).toEqual([
      ["hop-a", 1, "processing"],
      ["hop-a", 2, "processing"],
      ["hop-b", 1, "processing"],
    ]);
    const [a1, a2, b1] = seen.map((s) => String(s.first));
    expect(a1).not.toBe(stale);
    expect(a2).toBe(a1);
    expect(Date.parse(b1 ?? "")).toBeGreaterThanOrEqual(Date.parse(a1 ?? ""));
    expect(b1).not.toBe(a1);
    expect(done.envelope?.status).toMatchObject({
      phase: "succeeded",
      reason: "Completed",
      created_at: created,
      deadline_at: deadline,
    });
    expect(done.envelope?.headers?.["x-asya-first-attempt"]).toBeUndefined();
  });
});
