import { randomBytes } from "node:crypto";
import { loadTransport } from "@asya/runtime";
import { runDemo } from "@asya/runtime/demo";
import { describe, expect, inject, it } from "vitest";

// The same demo handlers, unchanged, on the Pub/Sub emulator (started by the integration global setup).
describe("demo pipeline on Pub/Sub", () => {
  it("ends every envelope in the same states as on the memory transport", async () => {
    const apiEndpoint = inject("pubsubEmulatorHost");
    if (!apiEndpoint) throw new Error("no Pub/Sub emulator host (integration global setup)");
    const transport = await loadTransport({ kind: "pubsub", projectId: "asya-runtime-test", apiEndpoint });
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
