import { randomBytes } from "node:crypto";
import { loadTransport } from "@asya/runtime";
import { runDemo } from "@asya/runtime/demo";
import { describe, expect, it } from "vitest";

// The same demo handlers, unchanged, on SQS (moto, started by the integration global setup).
describe("demo pipeline on SQS", () => {
  it("ends every envelope in the same states as on the memory transport", async () => {
    const endpoint = process.env.ASYA_TEST_SQS_ENDPOINT;
    if (endpoint === undefined)
      throw new Error("ASYA_TEST_SQS_ENDPOINT is not set (integration global setup)");
    // The emulator accepts any credentials; the AWS SDK reads them from its default chain.
    process.env.AWS_ACCESS_KEY_ID ??= "test";
    process.env.AWS_SECRET_ACCESS_KEY ??= "test";
    const transport = await loadTransport({ kind: "sqs", endpoint, region: "us-east-1", waitTimeSeconds: 1 });
    try {
      const namespace = `demo${randomBytes(4).toString("hex")}`;
      const result = await runDemo({ transport, namespace, write: () => undefined, timeoutMs: 90_000 });
      const states = Object.fromEntries(result.results.map((e) => [e.id, e.status?.reason]));
      expect(states).toEqual({
        "doc-1": "Completed",
        "doc-1-1": "Completed",
        "doc-1-2": "Completed",
        "doc-2": "Completed",
        "doc-2-1": "Completed",
        "doc-3": "Completed",
        "doc-3-1": "PolicyExhausted",
      });
      expect(result.failures.map((e) => e.id)).toEqual(["doc-3-1"]);
    } finally {
      await transport.close();
    }
  });
});
