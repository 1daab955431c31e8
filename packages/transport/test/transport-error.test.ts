import { deadLetterQueueName, TransportError } from "@asya/transport";
import { describe, expect, it } from "vitest";

describe("TransportError", () => {
  it("prefixes the transport and keeps code, retryable and cause", () => {
    const cause = new Error("boom");
    const error = new TransportError("closed", {
      code: "CLOSED",
      retryable: false,
      transport: "memory",
      cause,
    });
    expect(error.message).toBe("[asya:memory] closed");
    expect(error).toMatchObject({ name: "TransportError", code: "CLOSED", retryable: false, cause });
  });
  it("names dead-letter queues", () => {
    expect(deadLetterQueueName("asya-a")).toBe("asya-a-dlq");
  });
});
