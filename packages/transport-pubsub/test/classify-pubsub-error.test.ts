import { TransportError } from "@asya/transport";
import { classifyPubSubError } from "@asya/transport-pubsub";
import { describe, expect, it } from "vitest";

function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} X: ${details}`), { code, details });
}

describe("classifyPubSubError", () => {
  it.each([
    [14, "UNAVAILABLE", "CONNECTION", true],
    [4, "DEADLINE_EXCEEDED", "TIMEOUT", true],
    [8, "RESOURCE_EXHAUSTED", "THROTTLED", true],
    [10, "ABORTED", "CONNECTION", true],
    [13, "INTERNAL", "UNKNOWN", true],
    [5, "NOT_FOUND", "NOT_FOUND", false],
    [7, "PERMISSION_DENIED", "ACCESS_DENIED", false],
    [16, "UNAUTHENTICATED", "ACCESS_DENIED", false],
    [3, "INVALID_ARGUMENT", "INVALID_ARGUMENT", false],
    [9, "FAILED_PRECONDITION", "PRECONDITION_FAILED", false],
  ] as const)("maps gRPC %i (%s) to %s, retryable %s", (status, name, code, retryable) => {
    const cause = grpcError(status, "detail text");
    const error = classifyPubSubError(cause, "publish to asya-foo");
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code, retryable, transport: "pubsub", cause });
    expect(error.message).toBe(`[asya:pubsub] publish to asya-foo: ${name}: detail text`);
  });

  it("recognises string status codes and exactly-once AckError codes", () => {
    expect(classifyPubSubError({ code: "UNAVAILABLE" })).toMatchObject({
      code: "CONNECTION",
      retryable: true,
    });
    const ackError = Object.assign(new Error("ack failed"), { errorCode: "PERMISSION_DENIED" });
    expect(classifyPubSubError(ackError)).toMatchObject({ code: "ACCESS_DENIED", retryable: false });
    const invalid = Object.assign(new Error("ack id expired"), { errorCode: "INVALID" });
    expect(classifyPubSubError(invalid)).toMatchObject({ code: "PRECONDITION_FAILED", retryable: false });
  });

  it("maps an oversized request to TOO_LARGE", () => {
    const error = classifyPubSubError(
      grpcError(3, "Request payload size exceeds the limit: 10485760 bytes."),
    );
    expect(error).toMatchObject({ code: "TOO_LARGE", retryable: false });
  });

  it("treats socket errors as retryable connection errors", () => {
    const cause = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8085"), { code: "ECONNREFUSED" });
    expect(classifyPubSubError(cause)).toMatchObject({ code: "CONNECTION", retryable: true });
  });

  it("returns TransportErrors unchanged and sorts unknown errors as UNKNOWN, not retryable", () => {
    const existing = new TransportError("x", { code: "CLOSED", retryable: false, transport: "pubsub" });
    expect(classifyPubSubError(existing)).toBe(existing);
    expect(classifyPubSubError(new Error("weird"))).toMatchObject({ code: "UNKNOWN", retryable: false });
    expect(classifyPubSubError("a string")).toMatchObject({ code: "UNKNOWN", retryable: false });
    expect(classifyPubSubError(grpcError(99, "future code"))).toMatchObject({ code: "UNKNOWN" });
  });
});
