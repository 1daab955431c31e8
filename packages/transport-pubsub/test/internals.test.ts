import { describe, expect, it } from "vitest";
import { outgoingAttributes, publicAttributes } from "../src/internal/attributes.js";
import { DeliveryCounter } from "../src/internal/delivery-counter.js";

describe("attributes", () => {
  it("marks an empty body without attributes and strips internal and SDK attributes on receipt", () => {
    const attributes = outgoingAttributes("asya-x", { body: new Uint8Array(0) }, 10);
    expect(attributes).toEqual({ "x-asya-empty-body": "1" });
    expect(publicAttributes({ ...attributes, googclient_OpenTelemetrySpanContext: "x", a: "b" })).toEqual({
      a: "b",
    });
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
