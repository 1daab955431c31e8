import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Meter } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { setup } from "./helpers.js";

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

describe("progress events", () => {
  it("POSTs received/processing/partial/completed to x-asya-gateway-url, none when mesh status is off", async () => {
    const events: Array<{ id: string; event: string; partial?: unknown }> = [];
    const server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => {
        body += chunk;
      });
      request.on("end", () => {
        events.push(JSON.parse(body));
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(() => server.close());
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/progress`;
    const t = setup();
    await t.actor({
      name: "streamer",
      async *handler() {
        yield ["FLY", { tokens: "Hel" }];
        yield { text: "Hello" };
      },
    });
    await t.send({ id: "pg-1", route: ["streamer"], headers: { "x-asya-gateway-url": url }, payload: {} });
    await t.send({
      id: "pg-2",
      route: ["streamer"],
      headers: { "x-asya-gateway-url": url, "x-asya-mesh-status": "off" },
      payload: {},
    });
    await t.spy.waitFor("pg-2", { to: "x-sink" });
    const deadline = Date.now() + 2_000;
    while (events.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(events.map((e) => e.event).sort()).toEqual(["completed", "partial", "processing", "received"]);
    expect(events.find((e) => e.event === "partial")?.partial).toEqual({ tokens: "Hel" });
    expect(events.every((e) => e.id === "pg-1")).toBe(true);
  });
});

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
