import { createEnvelope, parseEnvelope, serializeEnvelope } from "@asya/envelope";
import { describe, expect, it } from "vitest";
import { expectEnvelopeError } from "./helpers.js";

describe("createEnvelope", () => {
  it("addresses the first actor of a route array", () => {
    const envelope = createEnvelope({ route: ["prep", "infer", "post"], payload: { text: "hi" } });
    expect(envelope.route).toEqual({ prev: [], curr: "prep", next: ["infer", "post"] });
    expect(envelope.payload).toEqual({ text: "hi" });
    expect(envelope.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(createEnvelope({ route: ["a"], payload: 1 }).id).not.toBe(envelope.id);
  });

  it("accepts a full route, an id, headers, status and parent_id", () => {
    const envelope = createEnvelope({
      id: "env-1",
      parent_id: "env-0",
      route: { prev: ["a"], curr: "b", next: [] },
      payload: null,
      headers: { traceparent: "00-x-y-01" },
      status: { phase: "pending", actor: "b", attempt: 1 },
    });
    expect(envelope).toEqual({
      id: "env-1",
      parent_id: "env-0",
      route: { prev: ["a"], curr: "b", next: [] },
      headers: { traceparent: "00-x-y-01" },
      status: { phase: "pending", actor: "b", attempt: 1 },
      payload: null,
    });
    expect(parseEnvelope(serializeEnvelope(envelope))).toEqual(envelope);
  });

  it("rejects bad actor names in a route array with INVALID_ACTOR_NAME", () => {
    const error = expectEnvelopeError(
      () => createEnvelope({ route: ["ok", "Not_OK"], payload: 1 }),
      "INVALID_ACTOR_NAME",
    );
    expect(error.message).toContain("route[1]");
  });

  it("rejects prototype-pollution keys with FORBIDDEN_KEY", () => {
    const payload = JSON.parse('{"a":{"__proto__":{"x":1}}}');
    const error = expectEnvelopeError(() => createEnvelope({ route: ["a"], payload }), "FORBIDDEN_KEY");
    expect(error.path).toEqual(["payload", "a", "__proto__"]);
    expectEnvelopeError(
      () => createEnvelope({ route: ["a"], payload: 1, headers: { constructor: 1 } }),
      "FORBIDDEN_KEY",
    );
  });

  it("rejects an invalid result with INVALID_ENVELOPE", () => {
    expectEnvelopeError(() => createEnvelope({ route: [], payload: 1 }), "INVALID_ENVELOPE");
    expectEnvelopeError(() => createEnvelope({ route: ["a"], payload: undefined }), "INVALID_ENVELOPE");
    expectEnvelopeError(() => createEnvelope({ id: "", route: ["a"], payload: 1 }), "INVALID_ENVELOPE");
    const bad = { prev: [], curr: "BAD", next: [] };
    const error = expectEnvelopeError(() => createEnvelope({ route: bad, payload: 1 }), "INVALID_ENVELOPE");
    expect(error.path).toEqual(["route", "curr"]);
  });
});
