import { describe, expect, it } from "vitest";
import { outgoingAttributes, priorDeliveries, publicAttributes } from "../src/internal/attributes.js";
import { DeliveryCounter } from "../src/internal/delivery-counter.js";

describe("attributes", () => {
  it("marks an empty body without attributes and strips internal and SDK attributes on receipt", () => {
    const attributes = outgoingAttributes("asya-x", { body: new Uint8Array(0) }, 10);
    expect(attributes).toEqual({ "x-asya-empty-body": "1" });
    expect(publicAttributes({ ...attributes, googclient_OpenTelemetrySpanContext: "x", a: "b" })).toEqual({
      a: "b",
    });
  });

  it("reads the prior-delivery count defensively", () => {
    expect(priorDeliveries({ "x-asya-attempt": "3" })).toBe(3);
    expect(priorDeliveries({ "x-asya-attempt": "-1" })).toBe(0);
    expect(priorDeliveries({ "x-asya-attempt": "nope" })).toBe(0);
    expect(priorDeliveries({})).toBe(0);
  });
});

describe("DeliveryCounter", () => {
  it("counts per id, forgets settled ids and evicts the oldest beyond capacity", () => {
    const counter = new DeliveryCounter(2);
    expect(counter.next("a")).toBe(1);
    expect(counter.next("a")).toBe(2);
    counter.forget("a");
    expect(counter.next("a")).toBe(1);
    counter.next("b");
    counter.next("c"); // evicts "a"
    expect(counter.next("a")).toBe(1);
    expect(counter.next("c")).toBe(2);
  });
});
