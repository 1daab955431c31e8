import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setup } from "./helpers.js";

// Judged by the real OpenTelemetry SDK (W3C propagator, AsyncLocalStorage context manager, an
// in-memory exporter): spans made by a handler's own code must be children of the runtime's
// `asya.process <actor>` span, not new parentless traces.
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
});

afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});

const app = () => trace.getTracer("handler-code");

describe("handlers run inside their span (OpenTelemetry SDK)", () => {
  it("plain, async and generator handlers: every span they make is a child of asya.process <actor>", async () => {
    exporter.reset();
    const t = setup();
    await t.actor({
      name: "plain",
      handler: (p: unknown) => {
        app().startSpan("in-plain").end();
        return p;
      },
    });
    await t.actor({
      name: "later",
      handler: async (p: unknown) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        app().startSpan("in-async-after-await").end();
        return p;
      },
    });
    await t.actor({
      name: "gen",
      async *handler(p: unknown) {
        app().startSpan("in-generator-step-1").end();
        yield ["SET", ".headers.k", "v"];
        await new Promise((resolve) => setTimeout(resolve, 1));
        app().startSpan("in-generator-step-2").end();
        yield p;
      },
    });
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    await t.send({
      id: "tr-1",
      route: ["plain", "later", "gen"],
      headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
      payload: {},
    });
    await t.spy.waitFor("tr-1", { to: "x-sink" });
    const spans = exporter.getFinishedSpans();
    const byName = (name: string) => spans.find((span) => span.name === name);
    for (const [inner, actor] of [
      ["in-plain", "plain"],
      ["in-async-after-await", "later"],
      ["in-generator-step-1", "gen"],
      ["in-generator-step-2", "gen"],
    ] as const) {
      const child = byName(inner);
      const parent = byName(`asya.process ${actor}`);
      expect(child, inner).toBeDefined();
      expect(parent, actor).toBeDefined();
      expect(child?.spanContext().traceId).toBe(traceId);
      expect(child?.parentSpanContext?.spanId, `${inner} parent`).toBe(parent?.spanContext().spanId);
    }
    // The runtime's spans chain hop to hop through the envelope's traceparent.
    expect(byName("asya.process plain")?.parentSpanContext?.spanId).toBe("b7ad6b7169203331");
    expect(byName("asya.process later")?.parentSpanContext?.spanId).toBe(
      byName("asya.process plain")?.spanContext().spanId,
    );
  });
});
