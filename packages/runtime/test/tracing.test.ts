import { randomBytes } from "node:crypto";
import {
  type Context,
  propagation,
  type SpanContext,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { setup } from "./helpers.js";

// A minimal W3C propagator and tracer, enough to observe what the runtime does with the OTel API.
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
      traceId: parts[1]!,
      spanId: parts[2]!,
      traceFlags: 1,
      isRemote: true,
    });
  },
  fields: () => ["traceparent"],
};

afterEach(() => propagation.disable());

describe("tracing", () => {
  it("starts a span per call as a child of the incoming traceparent; outputs carry the new context", async () => {
    propagation.setGlobalPropagator(w3c);
    const started: Array<{
      name: string;
      parent: SpanContext | undefined;
      own: SpanContext;
      attributes: unknown;
    }> = [];
    const tracer = {
      startSpan(name: string, options: { attributes?: unknown }, ctx: Context) {
        const parent = trace.getSpanContext(ctx);
        const own = {
          traceId: parent?.traceId ?? randomBytes(16).toString("hex"),
          spanId: randomBytes(8).toString("hex"),
          traceFlags: 1,
        };
        started.push({ name, parent, own, attributes: options.attributes });
        return trace.wrapSpanContext(own);
      },
    } as unknown as Tracer;
    const t = setup();
    await t.actor({ name: "traced", tracer, handler: (p: unknown) => p });
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const incoming = `00-${traceId}-b7ad6b7169203331-01`;
    await t.send({ id: "tr-1", route: ["traced"], headers: { traceparent: incoming }, payload: {} });
    const done = await t.spy.waitFor("tr-1", { to: "x-sink" });
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({
      name: "asya.process traced",
      parent: { traceId, spanId: "b7ad6b7169203331" },
      attributes: { "asya.actor": "traced", "asya.envelope.id": "tr-1", "asya.attempt": 1 },
    });
    expect(done.envelope?.headers?.traceparent).toBe(`00-${traceId}-${started[0]?.own.spanId}-01`);
  });
});

describe("trace propagation on failure outputs (SPEC 6)", () => {
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
