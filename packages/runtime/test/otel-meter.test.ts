import type { Meter } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { setup } from "./helpers.js";

describe("OTel meter", () => {
  it("records received, outcomes, durations and in-flight through the meter API", async () => {
    const calls: Array<[string, number, Record<string, unknown> | undefined]> = [];
    const instrument = (name: string) => ({
      add: (value: number, attributes?: Record<string, unknown>) => calls.push([name, value, attributes]),
      record: (value: number, attributes?: Record<string, unknown>) => calls.push([name, value, attributes]),
    });
    const meter = {
      createCounter: instrument,
      createHistogram: instrument,
      createUpDownCounter: instrument,
    } as unknown as Meter;
    const t = setup();
    await t.actor({ name: "metered", meter, handler: (p: unknown) => p });
    await t.send({ id: "m-1", route: ["metered"], payload: {} });
    await t.spy.waitFor("m-1", { to: "x-sink" });
    // The outcome is recorded right after the publish resolves, a tick after the spy sees it.
    const deadline = Date.now() + 2_000;
    while (!calls.some(([name]) => name === "asya.messages.processed") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const names = calls.map(([name]) => name);
    expect(names).toContain("asya.messages.received");
    expect(names).toContain("asya.handler.duration");
    expect(calls).toContainEqual(["asya.messages.processed", 1, { actor: "metered", outcome: "succeeded" }]);
    const inflight = calls.filter(([name]) => name === "asya.messages.in_flight").map(([, v]) => v);
    expect(inflight).toEqual([1, -1]);
  });
});
