import { stampStatus, validateEnvelope } from "@asya/envelope";
import { describe, expect, it } from "vitest";
import { expectEnvelopeError, wire } from "./helpers.js";

const t0 = new Date("2026-11-24T10:00:00Z");
const t1 = new Date("2026-11-24T10:00:05Z");

describe("stampStatus", () => {
  it("creates a status with created_at and updated_at set once", () => {
    const stamped = stampStatus(
      validateEnvelope(wire()),
      { phase: "processing", actor: "infer", attempt: 1 },
      t0,
    );
    expect(stamped.status).toEqual({
      phase: "processing",
      actor: "infer",
      attempt: 1,
      created_at: "2026-11-24T10:00:00.000Z",
      updated_at: "2026-11-24T10:00:00.000Z",
    });
  });

  it("keeps created_at and deadline_at, updates updated_at, merges the patch", () => {
    const first = stampStatus(
      validateEnvelope(
        wire({ status: { phase: "pending", deadline_at: "2026-11-24T11:00:00Z", node: "n1" } }),
      ),
      { phase: "processing", attempt: 1 },
      t0,
    );
    const second = stampStatus(
      first,
      { phase: "retrying", attempt: 2, created_at: "2020-01-01T00:00:00Z" },
      t1,
    );
    expect(second.status).toEqual({
      phase: "retrying",
      attempt: 2,
      node: "n1",
      deadline_at: "2026-11-24T11:00:00Z",
      created_at: "2026-11-24T10:00:00.000Z",
      updated_at: "2026-11-24T10:00:05.000Z",
    });
    expect(first.status?.attempt).toBe(1);
  });

  it("sets an error block and removes fields patched to undefined", () => {
    const error = { type: "ValueError", mro: ["Exception"], message: "bad", traceback: "tb" };
    const failed = stampStatus(
      validateEnvelope(wire()),
      { phase: "retrying", error, reason: "RuntimeError" },
      t0,
    );
    expect(failed.status?.error).toEqual(error);
    const cleared = stampStatus(failed, { phase: "pending", error: undefined, reason: undefined }, t1);
    expect(cleared.status).not.toHaveProperty("error");
    expect(cleared.status).not.toHaveProperty("reason");
  });

  it("defaults now to the current time", () => {
    const before = Date.now();
    const stamped = stampStatus(validateEnvelope(wire()), { phase: "pending" });
    const at = Date.parse(stamped.status?.updated_at ?? "");
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });

  it("validates the result", () => {
    expectEnvelopeError(() => stampStatus(validateEnvelope(wire()), { attempt: 1 }, t0), "INVALID_ENVELOPE");
    const error = expectEnvelopeError(
      () => stampStatus(validateEnvelope(wire()), { phase: "pending", attempt: 0 }, t0),
      "INVALID_ENVELOPE",
    );
    expect(error.path).toEqual(["status", "attempt"]);
    const nested = expectEnvelopeError(
      () => stampStatus(validateEnvelope(wire()), { phase: "failed", error: { type: 1 } as never }, t0),
      "INVALID_ENVELOPE",
    );
    expect(nested.path?.slice(0, 3)).toEqual(["status", "error", "type"]);
    const withPhase = stampStatus(validateEnvelope(wire()), { phase: "pending" }, t0);
    expectEnvelopeError(() => stampStatus(withPhase, { phase: undefined }, t1), "INVALID_ENVELOPE");
  });

  it("treats a patch key named like an Object method as a custom field", () => {
    const stamped = stampStatus(
      validateEnvelope(wire()),
      { phase: "pending", toString: "x", valueOf: 1 } as never,
      t0,
    );
    expect(stamped.status).toMatchObject({ phase: "pending", toString: "x", valueOf: 1 });
  });
});
