import { isValidActorName, queueName, SINK_ACTOR, SUMP_ACTOR } from "@asya/envelope";
import { describe, expect, it } from "vitest";
import { expectEnvelopeError } from "./helpers.js";

describe("queueName", () => {
  it("is asya-<namespace>-<actor>, or asya-<actor> without a namespace", () => {
    expect(queueName("infer", "prod")).toBe("asya-prod-infer");
    expect(queueName("infer")).toBe("asya-infer");
    expect(queueName(SINK_ACTOR, "ns1")).toBe("asya-ns1-x-sink");
    expect(queueName(SUMP_ACTOR)).toBe("asya-x-sump");
  });

  it.each([["Infer"], [""], ["a_b"], ["-a"], ["a-"], ["a.b"], ["a".repeat(64)]])(
    "rejects actor %j",
    (bad) => {
      const error = expectEnvelopeError(() => queueName(bad), "INVALID_ACTOR_NAME");
      expect(error.message).toContain(JSON.stringify(bad));
    },
  );

  it("rejects a bad namespace, naming it", () => {
    const error = expectEnvelopeError(() => queueName("infer", "Prod"), "INVALID_ACTOR_NAME");
    expect(error.message).toContain('namespace "Prod"');
    expectEnvelopeError(() => queueName("infer", ""), "INVALID_ACTOR_NAME");
  });

  it("accepts the longest labels", () => {
    const long = "a".repeat(63);
    expect(queueName(long, long)).toHaveLength(5 + 63 + 1 + 63);
  });
});

describe("isValidActorName", () => {
  it("accepts DNS-1123 labels only", () => {
    for (const ok of ["a", "x-sink", "a1", "1a", "a-b-c", "a".repeat(63)])
      expect(isValidActorName(ok)).toBe(true);
    for (const bad of ["", "A", "a_b", "-a", "a-", "a b", "a".repeat(64), 1, null, undefined]) {
      expect(isValidActorName(bad)).toBe(false);
    }
  });
});
