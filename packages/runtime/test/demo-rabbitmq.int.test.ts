import { randomBytes } from "node:crypto";
import { loadTransport } from "@asya/runtime";
import { runDemo } from "@asya/runtime/demo";
import { describe, expect, it } from "vitest";

// The same demo handlers, unchanged, on a real RabbitMQ broker: only the transport differs.
describe("demo pipeline on RabbitMQ", () => {
  it("ends every envelope in the same states as on the memory transport", async () => {
    const url = process.env.ASYA_TEST_RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672";
    const transport = await loadTransport({ kind: "rabbitmq", url });
    try {
      const namespace = `demo${randomBytes(4).toString("hex")}`;
      const result = await runDemo({ transport, namespace, write: () => undefined, timeoutMs: 60_000 });
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
