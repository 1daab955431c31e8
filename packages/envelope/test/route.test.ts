import { advanceRoute, isRouteEnd, rewriteNext, validateEnvelope } from "@asya/envelope";
import { describe, expect, it } from "vitest";
import { expectEnvelopeError, wire } from "./helpers.js";

const envelope = validateEnvelope(wire({ status: { phase: "processing", actor: "infer" } }));

describe("advanceRoute", () => {
  it("pushes curr onto prev and shifts next into curr", () => {
    const advanced = advanceRoute(envelope);
    expect(advanced.route).toEqual({ prev: ["prep", "infer"], curr: "post", next: ["store"] });
    expect(advanceRoute(advanced).route).toEqual({
      prev: ["prep", "infer", "post"],
      curr: "store",
      next: [],
    });
  });

  it("exhausts the route: curr becomes empty", () => {
    const last = validateEnvelope(wire({ route: { prev: ["a"], curr: "b", next: [] } }));
    const done = advanceRoute(last);
    expect(done.route).toEqual({ prev: ["a", "b"], curr: "", next: [] });
    expect(isRouteEnd(done)).toBe(true);
  });

  it("is pure: input untouched, status and other fields carried unchanged", () => {
    const before = structuredClone(envelope);
    const advanced = advanceRoute(envelope);
    expect(envelope).toEqual(before);
    expect(advanced.status).toEqual(envelope.status);
    expect(advanced.payload).toBe(envelope.payload);
    expect(advanced.route.prev).not.toBe(envelope.route.prev);
  });

  it("keeps unknown route fields", () => {
    const withExtra = validateEnvelope(wire({ route: { prev: [], curr: "a", next: ["b"], hops: 1 } }));
    expect(advanceRoute(withExtra).route).toEqual({ prev: ["a"], curr: "b", next: [], hops: 1 });
  });

  it("refuses to advance an exhausted route", () => {
    const done = validateEnvelope(wire({ route: { prev: ["a"], curr: "", next: [] } }));
    const error = expectEnvelopeError(() => advanceRoute(done), "INVALID_ENVELOPE");
    expect(error.path).toEqual(["route", "curr"]);
  });
});

describe("isRouteEnd", () => {
  it("is true only when curr is empty", () => {
    expect(isRouteEnd(envelope)).toBe(false);
    expect(isRouteEnd(validateEnvelope(wire({ route: { prev: [], curr: "a", next: [] } })))).toBe(false);
    expect(isRouteEnd(validateEnvelope(wire({ route: { prev: ["a"], curr: "", next: [] } })))).toBe(true);
  });
});

describe("rewriteNext", () => {
  it("replaces next, leaving prev and curr alone", () => {
    const rewritten = rewriteNext(envelope, ["review", "infer", "x-sink"]);
    expect(rewritten.route).toEqual({ prev: ["prep"], curr: "infer", next: ["review", "infer", "x-sink"] });
    expect(envelope.route.next).toEqual(["post", "store"]);
    expect(rewriteNext(envelope, []).route.next).toEqual([]);
  });

  it("copies the given array", () => {
    const next = ["a"];
    const rewritten = rewriteNext(envelope, next);
    next.push("b");
    expect(rewritten.route.next).toEqual(["a"]);
  });

  it.each([["Upper"], [""], ["under_score"], ["-dash"], ["a".repeat(64)]])("rejects %j", (bad) => {
    const error = expectEnvelopeError(() => rewriteNext(envelope, ["ok", bad]), "INVALID_ACTOR_NAME");
    expect(error.message).toContain("route.next[1]");
    expect(error.message).toContain(JSON.stringify(bad));
  });

  it("rejects non-strings at runtime", () => {
    expectEnvelopeError(() => rewriteNext(envelope, [42 as unknown as string]), "INVALID_ACTOR_NAME");
  });
});
